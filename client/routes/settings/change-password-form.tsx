import { useState } from 'react';
import { ChangePasswordInputSchema } from '#shared/schemas/account.ts';
import { NewPasswordField } from '#client/components/new-password-field.tsx';
import { PasswordInput } from '#client/components/password-input.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { signedIn } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

export function ChangePasswordForm({ email }: { email: string }) {
  const form = useSchemaForm(ChangePasswordInputSchema);
  const change = trpc.auth.password.change.useMutation();
  const [done, setDone] = useState(false);
  const [formKey, setFormKey] = useState(0);
  return (
    <section className="card stack" aria-labelledby="change-password-title">
      <h2 id="change-password-title">Password</h2>
      <p className="field__hint">Changing it signs you out on every other device.</p>
      {done && <Alert tone="success">Your password is changed. Other devices have been signed out.</Alert>}
      <form
        key={formKey}
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) => {
          setDone(false);
          change.mutate(input, {
            onSuccess: (session) => {
              signedIn(session);
              setDone(true);
              setFormKey((key) => key + 1);
            },
            onError: (error) => form.showError(formElement, error),
          });
        })}
      >
        {form.formError && <Alert tone="error">{form.formError}</Alert>}
        <Field
          label="Current password"
          name="currentPassword"
          autoComplete="current-password"
          errors={form.fieldErrors.currentPassword}
          onInput={() => form.clearField('currentPassword')}
          renderInput={(props) => <PasswordInput {...props} />}
        />
        <NewPasswordField
          label="New password"
          name="newPassword"
          email={email}
          errors={form.fieldErrors.newPassword}
          onInput={() => form.clearField('newPassword')}
        />
        <div>
          <Button type="submit" busy={change.isPending} busyLabel="Saving…">
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}
