import { useId, type ReactNode } from 'react';

export type Choice<Value extends string> = { value: Value; label: string; hint?: string };

type Props<Value extends string> = {
  legend: ReactNode;
  options: Choice<Value>[];
  value: Value;
  onChange: (value: Value) => void;
};

/** One of a few options as radio buttons in a fieldset: arrow keys move between them. */
export function ChoiceGroup<Value extends string>({ legend, options, value, onChange }: Props<Value>) {
  const name = useId();
  return (
    <fieldset className="choice-group">
      <legend className="field__label">{legend}</legend>
      <div className="choice-group__options">
        {options.map((option) => (
          <label key={option.value} className="choice">
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <span className="choice__label">{option.label}</span>
            {option.hint && <span className="choice__hint">{option.hint}</span>}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
