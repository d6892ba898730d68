import type { FieldErrors } from '#shared/errors.ts';
import { PasswordInput } from './password-input.tsx';
import { Field } from './ui/field.tsx';

type Props = {
  /** The form's state from useSchemaForm: its schema names the field `password`. */
  form: { fieldErrors: FieldErrors; clearField: (name: string) => void };
  label?: string;
};

/**
 * The account's password, asked again before a step that matters (deactivating, deleting, adding
 * a passkey), in a form that replaces the button that opened it: the field takes the focus, so it
 * does not fall to the page.
 */
export function CurrentPasswordField({ form, label = 'Password' }: Props) {
  return (
    <Field
      label={label}
      name="password"
      autoComplete="current-password"
      autoFocus
      errors={form.fieldErrors.password}
      onInput={() => form.clearField('password')}
      renderInput={(props) => <PasswordInput {...props} />}
    />
  );
}
