import { useState } from 'react';
import { ChangeEmailInputSchema } from '#shared/schemas/account.ts';
import { PasswordInput } from '#client/components/password-input.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { trpc } from '#client/lib/trpc.ts';
import { SetPasswordFirst } from './set-password-form.tsx';

export function ChangeEmailForm({ email, hasPassword }: { email: string; hasPassword: boolean }) {
  const form = useSchemaForm(ChangeEmailInputSchema);
  const change = trpc.auth.email.change.useMutation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  // Focus follows the swap between form and message, so a keyboard user is never left on the page.
  const [again, setAgain] = useState(false);
  return (
    <section className="card stack" aria-labelledby="change-email-title">
      <h2 id="change-email-title">Email address</h2>
      <p className="field__hint">
        Now: <strong>{email}</strong>. We send a link to the new address; the change happens when you open it.
      </p>
      {sentTo ? (
        <div className="stack">
          <Alert tone="success">
            Check {sentTo}: open the link we sent there to finish. We also told your current address.
          </Alert>
          <div>
            <Button
              variant="secondary"
              size="small"
              autoFocus
              onClick={() => {
                setSentTo(null);
                setAgain(true);
              }}
            >
              Use another address
            </Button>
          </div>
        </div>
      ) : (
        <form
          noValidate
          className="stack"
          onSubmit={form.onSubmit((input, formElement) =>
            change.mutate(input, {
              onSuccess: () => setSentTo(input.newEmail),
              onError: (error) => form.showError(formElement, error),
            }),
          )}
        >
          {form.formError && <Alert tone="error">{form.formError}</Alert>}
          {!hasPassword && <SetPasswordFirst action="changing your email" />}
          <Field
            label="New email address"
            name="newEmail"
            type="email"
            autoComplete="email"
            autoFocus={again}
            errors={form.fieldErrors.newEmail}
            onInput={() => form.clearField('newEmail')}
          />
          <Field
            label="Password"
            name="password"
            autoComplete="current-password"
            hint="To make sure it is you."
            errors={form.fieldErrors.password}
            onInput={() => form.clearField('password')}
            renderInput={(props) => <PasswordInput {...props} />}
          />
          <div>
            <Button type="submit" busy={change.isPending} busyLabel="Sending…">
              Change email
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
