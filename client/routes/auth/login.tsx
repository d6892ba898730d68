import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { LoginInputSchema } from '#shared/schemas/auth.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { PasswordInput } from '#client/components/password-input.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { useSchemaForm } from '#client/lib/forms.ts';
import { signedIn } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

export function LoginPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const form = useSchemaForm(LoginInputSchema);
  const [unverifiedEmail, setUnverifiedEmail] = useState<string | null>(null);
  const login = trpc.auth.login.useMutation();

  return (
    <div className="page page--narrow">
      <div className="card">
        <PageHeading title="Log in" />
        <p className="card__lead">Welcome back. Sign in to your Latchkey account.</p>
        <form
          noValidate
          className="stack"
          onSubmit={form.onSubmit((input, formElement) => {
            setUnverifiedEmail(null);
            login.mutate(input, {
              onSuccess: (result) => {
                if (result.status !== 'signed_in') return;
                signedIn(result.session);
                navigate(from, { replace: true });
              },
              onError: (error) => {
                const problem = form.showError(formElement, error);
                if (problem.reason === 'EMAIL_NOT_VERIFIED') setUnverifiedEmail(input.email);
              },
            });
          })}
        >
          {form.formError && (
            <Alert tone="error">
              <p>{form.formError}</p>
              {unverifiedEmail && (
                <p>
                  <Link to="/check-email" state={{ email: unverifiedEmail }}>
                    Send the confirmation link again
                  </Link>
                </p>
              )}
            </Alert>
          )}
          <Field label="Email" name="email" type="email" autoComplete="username" required errors={form.fieldErrors.email} />
          <Field
            label="Password"
            name="password"
            autoComplete="current-password"
            required
            errors={form.fieldErrors.password}
            renderInput={(props) => <PasswordInput {...props} />}
          />
          <Button type="submit" block busy={login.isPending} busyLabel="Signing in…">
            Log in
          </Button>
        </form>
        <p className="card__footer">
          New to Latchkey? <Link to="/signup">Create an account</Link>
        </p>
      </div>
    </div>
  );
}
