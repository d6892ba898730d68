import { useId, type ReactNode } from 'react';

type Props = {
  label: string;
  description?: ReactNode;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
};

/** An on/off setting: a real checkbox (role=switch) with its label and explanation tied to it. */
export function Switch({ label, description, checked, disabled, onChange }: Props) {
  const id = useId();
  return (
    <div className="switch">
      <input
        id={id}
        type="checkbox"
        role="switch"
        className="switch__input"
        checked={checked}
        disabled={disabled}
        aria-describedby={description ? `${id}-description` : undefined}
        onChange={(event) => onChange(event.target.checked)}
      />
      <div>
        <label htmlFor={id} className="switch__label">
          {label}
        </label>
        {description && (
          <div id={`${id}-description`} className="field__hint">
            {description}
          </div>
        )}
      </div>
    </div>
  );
}
