import { useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';

type FrameProps = {
  label: string;
  hint?: ReactNode;
  errors?: string[];
  optional?: boolean;
  /** Receives the id and aria wiring for the control. */
  children: (wiring: {
    id: string;
    className: string;
    'aria-invalid'?: true;
    'aria-describedby'?: string;
  }) => ReactNode;
};

/** Label, control, errors and hint, tied together for screen readers. */
function FieldFrame({ label, hint, errors, optional, children }: FrameProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
        {/* Seen, not read out: the accessible name stays the field's name (API.md §9); required fields say so. */}
        {optional && (
          <span className="field__optional" aria-hidden="true">
            {' '}
            (optional)
          </span>
        )}
      </label>
      {children({
        id,
        className: 'field__input',
        'aria-invalid': errors?.length ? true : undefined,
        'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
      })}
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

type FieldProps = Omit<FrameProps, 'children'> & { name: string };

type InputFieldProps = FieldProps &
  InputHTMLAttributes<HTMLInputElement> & {
    /** Replaces the plain input, e.g. an input with a show/hide button; receives the wiring props. */
    renderInput?: (props: InputHTMLAttributes<HTMLInputElement>) => ReactNode;
  };

export function Field({ label, hint, errors, optional, renderInput, ...input }: InputFieldProps) {
  return (
    <FieldFrame label={label} hint={hint} errors={errors} optional={optional}>
      {(wiring) => (renderInput ? renderInput({ ...input, ...wiring }) : <input {...input} {...wiring} />)}
    </FieldFrame>
  );
}

export function TextAreaField({
  label,
  hint,
  errors,
  optional,
  ...textarea
}: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <FieldFrame label={label} hint={hint} errors={errors} optional={optional}>
      {(wiring) => <textarea rows={5} {...textarea} {...wiring} className="field__input field__textarea" />}
    </FieldFrame>
  );
}
