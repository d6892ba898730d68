import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ResetPasswordInputSchema } from '#shared/schemas/account.ts';
import { NewPasswordField } from '#client/components/new-password-field.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { trpc } from '#client/lib/trpc.ts';

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const form = useSchemaForm(ResetPasswordInputSchema);
  const reset = trpc.auth.password.reset.useMutation();
  const [done, setDone] = useState(false);
  const [linkProblem, setLinkProblem] = useState(!token);

  return (
    <div className="page page--narrow">
      <div className="card">
        <PageHeading title={done ? 'Password changed' : 'Choose a new password'} />
        {done ? (
          <div className="stack">
            <Alert tone="success">
              Your password is changed, and every device that was signed in has been signed out.
            </Alert>
            <Link to="/login" className="button button--primary">
              Log in
            </Link>
          </div>
        ) : linkProblem ? (
          <div className="stack">
            <Alert tone="error">
              {form.formError ?? 'This link is incomplete. Open the link from the email again.'}
            </Alert>
            <Link to="/forgot-password" className="button button--primary">
              Ask for a new link
            </Link>
          </div>
        ) : (
          <form
            noValidate
            className="stack"
            onSubmit={form.onSubmit((input, formElement) =>
              reset.mutate(input, {
                onSuccess: () => setDone(true),
                onError: (error) => {
                  if (form.showError(formElement, error).reason === 'INVALID_TOKEN') setLinkProblem(true);
                },
              }),
            )}
          >
            <p className="card__lead">
              Once you save it, every device signed in to your account is signed out, and the new password works
              everywhere.
            </p>
            {form.formError && <Alert tone="error">{form.formError}</Alert>}
            <input type="hidden" name="token" value={token} />
            <NewPasswordField
              label="New password"
              email=""
              errors={form.fieldErrors.password}
              onInput={() => form.clearField('password')}
            />
            <Button type="submit" block busy={reset.isPending} busyLabel="Saving…">
              Save
            </Button>
          </form>
        )}
      </div>
    </div>
  );
}
