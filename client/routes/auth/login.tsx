import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { LoginInputSchema, type AuthSession } from '#shared/schemas/auth.ts';
import { VerifyMfaInputSchema } from '#shared/schemas/mfa.ts';
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
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const finish = (session: AuthSession) => {
    signedIn(session);
    navigate(from, { replace: true });
  };

  return (
    <div className="page page--narrow">
      <div className="card">
        {mfaToken ? (
          <CodeStep mfaToken={mfaToken} onSignedIn={finish} onRestart={() => setMfaToken(null)} />
        ) : (
          <PasswordStep onSignedIn={finish} onCodeNeeded={setMfaToken} />
        )}
      </div>
    </div>
  );
}

function PasswordStep({
  onSignedIn,
  onCodeNeeded,
}: {
  onSignedIn: (session: AuthSession) => void;
  onCodeNeeded: (token: string) => void;
}) {
  const form = useSchemaForm(LoginInputSchema);
  const [unverifiedEmail, setUnverifiedEmail] = useState<string | null>(null);
  const login = trpc.auth.login.useMutation();
  return (
    <>
      <PageHeading title="Log in" />
      <p className="card__lead">Welcome back. Sign in to your Latchkey account.</p>
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) => {
          setUnverifiedEmail(null);
          login.mutate(input, {
            onSuccess: (result) =>
              result.status === 'signed_in' ? onSignedIn(result.session) : onCodeNeeded(result.mfaToken),
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
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          errors={form.fieldErrors.email}
        />
        <Field
          label="Password"
          name="password"
          autoComplete="current-password"
          required
          errors={form.fieldErrors.password}
          renderInput={(props) => <PasswordInput {...props} />}
        />
        <Link to="/forgot-password" className="small-link">
          Forgot your password?
        </Link>
        <Button type="submit" block busy={login.isPending} busyLabel="Signing in…">
          Log in
        </Button>
      </form>
      <p className="card__footer">
        New to Latchkey? <Link to="/signup">Create an account</Link>
      </p>
    </>
  );
}

function CodeStep({
  mfaToken,
  onSignedIn,
  onRestart,
}: {
  mfaToken: string;
  onSignedIn: (session: AuthSession) => void;
  onRestart: () => void;
}) {
  const form = useSchemaForm(VerifyMfaInputSchema);
  const verify = trpc.auth.verifyMfa.useMutation();
  const [expired, setExpired] = useState(false);
  return (
    <>
      <PageHeading title="Enter your code" />
      <p className="card__lead">
        Open your authenticator app and enter the 6-digit code for Latchkey. Lost your phone? Enter one of your recovery
        codes.
      </p>
      <form
        noValidate
        className="stack"
        onSubmit={form.onSubmit((input, formElement) =>
          verify.mutate(input, {
            onSuccess: onSignedIn,
            onError: (error) => {
              const problem = form.showError(formElement, error);
              if (problem.reason === 'INVALID_TOKEN' || problem.reason === 'RATE_LIMITED') setExpired(true);
            },
          }),
        )}
      >
        <input type="hidden" name="mfaToken" value={mfaToken} />
        {form.formError && (
          <Alert tone="error">
            <p>{form.formError}</p>
            {expired && (
              <p>
                <button type="button" className="link-button" onClick={onRestart}>
                  Start again
                </button>
              </p>
            )}
          </Alert>
        )}
        <Field
          label="Code"
          name="code"
          autoComplete="one-time-code"
          inputMode="text"
          autoFocus
          required
          errors={form.fieldErrors.code}
          onInput={() => form.clearField('code')}
        />
        <Button type="submit" block busy={verify.isPending} busyLabel="Checking…" disabled={expired}>
          Verify
        </Button>
      </form>
      <p className="card__footer">
        <button type="button" className="link-button" onClick={onRestart}>
          Use another account
        </button>
      </p>
    </>
  );
}
