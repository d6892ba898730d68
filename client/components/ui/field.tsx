import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

type Props = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  hint?: ReactNode;
  errors?: string[];
  optional?: boolean;
  /** Replaces the plain input, e.g. an input with a show/hide button; receives the wiring props. */
  renderInput?: (props: InputHTMLAttributes<HTMLInputElement>) => ReactNode;
};

/** A labelled input with its hint and errors tied to it for screen readers. */
export function Field({ label, name, hint, errors, optional, renderInput, ...input }: Props) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const inputProps: InputHTMLAttributes<HTMLInputElement> = {
    ...input,
    id,
    name,
    className: 'field__input',
    'aria-invalid': errors?.length ? true : undefined,
    'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
  };
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
        {optional && <span className="field__optional"> (optional)</span>}
      </label>
      {renderInput ? renderInput(inputProps) : <input {...inputProps} />}
      {errorId && (
        <p className="field__error" id={errorId}>
          {errors!.join(' ')}
        </p>
      )}
      {hint && (
        <div className="field__hint" id={hintId}>
          {hint}
        </div>
      )}
    </div>
  );
}
