import { useState } from 'react';
import { Link } from 'react-router';
import { RequestPasswordResetInputSchema } from '#shared/schemas/account.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { trpc } from '#client/lib/trpc.ts';

export function ForgotPasswordPage() {
  const form = useSchemaForm(RequestPasswordResetInputSchema);
  const request = trpc.auth.password.requestReset.useMutation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  return (
    <div className="page page--narrow">
      <div className="card">
        <PageHeading title="Reset your password" />
        {sentTo ? (
          <div className="stack">
            <Alert tone="success">
              If {sentTo} belongs to an account, a link to choose a new password is on its way. It works once, for 1
              hour.
            </Alert>
            <p className="field__hint">No mail after a few minutes? Check your spam folder, or try again.</p>
            <div>
              <Button variant="secondary" onClick={() => setSentTo(null)}>
                Try another address
              </Button>
            </div>
          </div>
        ) : (
          <>
            <p className="card__lead">
              Enter the email address of your account. We will send you a link to choose a new password.
            </p>
            <form
              noValidate
              className="stack"
              onSubmit={form.onSubmit((input, formElement) =>
                request.mutate(input, {
                  onSuccess: () => setSentTo(input.email),
                  onError: (error) => form.showError(formElement, error),
                }),
              )}
            >
              {form.formError && <Alert tone="error">{form.formError}</Alert>}
              <Field
                label="Email"
                name="email"
                type="email"
                autoComplete="email"
                required
                errors={form.fieldErrors.email}
              />
              <Button type="submit" block busy={request.isPending} busyLabel="Sending…">
                Send the link
              </Button>
            </form>
          </>
        )}
        <p className="card__footer">
          Remembered it? <Link to="/login">Log in</Link>
        </p>
      </div>
    </div>
  );
}
