import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { LoginInputSchema, type AuthSession } from '#shared/schemas/auth.ts';
import { VerifyMfaInputSchema } from '#shared/schemas/mfa.ts';
import { SsoDiscoverInputSchema, type SsoDiscoverResult } from '#shared/schemas/sso.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { PasswordInput } from '#client/components/password-input.tsx';
import { ProviderButtons } from '#client/components/provider-buttons.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { providerErrorMessage, reasonOf, toProblem } from '#client/lib/errors.ts';
import { useSchemaForm } from '#client/lib/forms.ts';
import { signedIn } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useLandingParams } from '#client/lib/use-landing-params.ts';
import { SsoChoice } from './sso-choice.tsx';
import { usePasskeySignIn } from './use-passkey-sign-in.ts';

// Where a provider sign-in sends the browser back to this page (API.md §12).
const LANDING_KEYS = ['error', 'mfa', 'link'] as const;

type CodeNeeded = { mfaToken: string; linkToken?: string };

/** The address whose domain was looked up for an SSO connection, and the answer (API.md §15). */
type Checked = { email: string; connection: SsoDiscoverResult };

export function LoginPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const landing = useLandingParams(LANDING_KEYS);
  const [code, setCode] = useState<CodeNeeded | null>(landing.mfa ? { mfaToken: landing.mfa } : null);
  const [linkToken, setLinkToken] = useState(landing.link);
  const [providerError, setProviderError] = useState(landing.error);
  const finish = (session: AuthSession) => {
    signedIn(session);
    navigate(from, { replace: true });
  };

  return (
    <div className="page page--narrow">
      <div className="card">
        {code ? (
          <CodeStep
            mfaToken={code.mfaToken}
            linkToken={code.linkToken}
            onSignedIn={finish}
            onRestart={() => setCode(null)}
          />
        ) : (
          <PasswordStep
            returnTo={from}
            providerError={providerError}
            onTryAgain={() => setProviderError(null)}
            linkToken={linkToken}
            onLinkDropped={() => setLinkToken(null)}
            onSignedIn={finish}
            onCodeNeeded={setCode}
          />
        )}
      </div>
    </div>
  );
}

function PasswordStep({
  returnTo,
  providerError,
  onTryAgain,
  linkToken,
  onLinkDropped,
  onSignedIn,
  onCodeNeeded,
}: {
  returnTo: string;
  /** The `?error=` of a failed provider sign-in, shown until the member tries again. */
  providerError: string | null;
  onTryAgain: () => void;
  linkToken: string | null;
  onLinkDropped: () => void;
  onSignedIn: (session: AuthSession) => void;
  onCodeNeeded: (code: CodeNeeded) => void;
}) {
  const form = useSchemaForm(LoginInputSchema);
  const emailForm = useSchemaForm(SsoDiscoverInputSchema);
  const [unverifiedEmail, setUnverifiedEmail] = useState<string | null>(null);
  // Email first: the password is asked once the address's domain is known to have no connection, or
  // beside "Continue with SSO" (owners keep their password). Linking an account asks it at once.
  const [checked, setChecked] = useState<Checked | null>(null);
  // "Continue with SSO" belongs to the address it was found for: editing the address takes it away.
  const [emailChanged, setEmailChanged] = useState(false);
  const [ssoRequired, setSsoRequired] = useState<{ connectionId: string; message: string } | null>(null);
  const discover = trpc.auth.sso.discover.useMutation();
  const login = trpc.auth.login.useMutation();
  // Linking a provider needs the password here: a passkey signs in without linking, so it is not offered then.
  const passkey = usePasskeySignIn({ autofill: linkToken === null, onStart: onTryAgain, onSignedIn });
  const pendingLink = trpc.auth.oauth.pendingLink.useQuery(
    { token: linkToken ?? '' },
    {
      enabled: linkToken !== null,
      staleTime: Infinity,
      retry: (failures, error) => reasonOf(error) === 'NETWORK' && failures < 2,
    },
  );

  if (linkToken && pendingLink.isPending) {
    return (
      <div className="center">
        <Spinner label="Loading…" />
      </div>
    );
  }
  const link = linkToken && pendingLink.data ? { token: linkToken, ...pendingLink.data } : null;
  const askPassword = linkToken !== null || checked !== null;
  // A token that is malformed is as good as expired to the member.
  const linkExpired = linkToken !== null && ['INVALID_TOKEN', 'INVALID_INPUT'].includes(reasonOf(pendingLink.error));

  return (
    <>
      <PageHeading title={link ? `Link your ${link.providerName} account` : 'Log in'} />
      {link ? (
        <p className="card__lead">
          An account with <strong>{link.email}</strong> already exists. Log in with its password to link your{' '}
          {link.providerName} account to it; after that, Continue with {link.providerName} signs you in.
        </p>
      ) : (
        <p className="card__lead">Welcome back. Sign in to your Latchkey account.</p>
      )}
      <form
        noValidate
        className="stack"
        onSubmit={(event) => {
          const email = String(new FormData(event.currentTarget).get('email') ?? '').trim();
          if (linkToken === null && checked?.email !== email) {
            emailForm.onSubmit(({ email: address }, formElement) => {
              onTryAgain();
              passkey.clearProblem();
              setSsoRequired(null);
              const answered = (connection: SsoDiscoverResult) => {
                setChecked({ email, connection });
                setEmailChanged(false);
                // A password already there (filled by a password manager) goes on to sign in.
                const password = formElement.elements.namedItem('password');
                if (connection || !(password instanceof HTMLInputElement)) return;
                if (password.value) formElement.requestSubmit();
                else password.focus();
              };
              // Discovery failing must not keep anyone out: the password still works.
              discover.mutate({ email: address }, { onSuccess: answered, onError: () => answered(null) });
            })(event);
            return;
          }
          form.onSubmit((input, formElement) => {
            setUnverifiedEmail(null);
            setSsoRequired(null);
            onTryAgain();
            passkey.clearProblem();
            login.mutate(input, {
              onSuccess: (result) =>
                result.status === 'signed_in'
                  ? onSignedIn(result.session)
                  : onCodeNeeded({ mfaToken: result.mfaToken, linkToken: input.linkToken }),
              onError: (error) => {
                const problem = toProblem(error);
                if (problem.reason === 'SSO_REQUIRED' && problem.connectionId) {
                  setSsoRequired({ connectionId: problem.connectionId, message: problem.message });
                  return;
                }
                form.showError(formElement, error);
                if (problem.reason === 'EMAIL_NOT_VERIFIED') setUnverifiedEmail(input.email);
              },
            });
          })(event);
        }}
      >
        {providerError !== null && <Alert tone="error">{providerErrorMessage(providerError)}</Alert>}
        {linkExpired && (
          <Alert tone="error">
            The link to your other account has expired or was already used. Log in with your password, or continue with
            your provider again.
          </Alert>
        )}
        {linkToken && pendingLink.isError && !linkExpired && (
          <LoadError what="the account to link" onRetry={() => void pendingLink.refetch()} />
        )}
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
        {passkey.problem && (
          <Alert tone={passkey.problem.tone}>
            <p>{passkey.problem.message}</p>
            {passkey.problem.unverified && (
              <p>
                <Link to="/check-email">Send the confirmation link again</Link>
              </p>
            )}
          </Alert>
        )}
        {ssoRequired && (
          <SsoChoice
            title="Your organization signs you in through SSO"
            connectionId={ssoRequired.connectionId}
            lead={ssoRequired.message}
            returnTo={returnTo}
          />
        )}
        {link && <input type="hidden" name="linkToken" value={link.token} />}
        <Field
          label="Email"
          name="email"
          type="email"
          // "webauthn" lets the browser offer passkeys among the suggestions (API.md §13).
          autoComplete={linkToken === null ? 'username webauthn' : 'username'}
          required
          defaultValue={link?.email}
          errors={form.fieldErrors.email ?? emailForm.fieldErrors.email}
          onInput={(event) => {
            form.clearField('email');
            emailForm.clearField('email');
            setEmailChanged(checked !== null && event.currentTarget.value.trim() !== checked.email);
          }}
        />
        {!ssoRequired && !emailChanged && checked?.connection && (
          <SsoChoice
            connectionId={checked.connection.connectionId}
            name={checked.connection.name}
            lead={`${checked.email.slice(checked.email.lastIndexOf('@') + 1)} signs in through ${checked.connection.name}.`}
            returnTo={returnTo}
          />
        )}
        {askPassword ? (
          <>
            {checked?.connection && !emailChanged && <p className="or-divider sso-or">or use your password</p>}
            <Field
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              // Shown after the email step: the next thing to type.
              autoFocus={linkToken === null && !checked?.connection}
              errors={form.fieldErrors.password}
              renderInput={(props) => <PasswordInput {...props} />}
            />
            <Link to="/forgot-password" className="small-link">
              Forgot your password?
            </Link>
            <Button
              type="submit"
              variant={checked?.connection && !emailChanged ? 'secondary' : 'primary'}
              block
              busy={login.isPending}
              busyLabel="Signing in…"
            >
              Log in
            </Button>
          </>
        ) : (
          <>
            <Link to="/forgot-password" className="small-link">
              Forgot your password?
            </Link>
            <Button type="submit" block busy={discover.isPending} busyLabel="Checking…">
              Continue
            </Button>
          </>
        )}
      </form>
      {link ? (
        <p className="card__footer">
          Not what you meant?{' '}
          <button type="button" className="link-button" onClick={onLinkDropped}>
            Cancel linking
          </button>
        </p>
      ) : (
        <>
          <ProviderButtons returnTo={returnTo}>
            {passkey.supported && (
              <Button
                variant="secondary"
                block
                busy={passkey.busy}
                busyLabel="Waiting for your passkey…"
                onClick={passkey.start}
              >
                Sign in with a passkey
              </Button>
            )}
          </ProviderButtons>
          <p className="card__footer">
            New to Latchkey? <Link to="/signup">Create an account</Link>
          </p>
        </>
      )}
    </>
  );
}

function CodeStep({
  mfaToken,
  linkToken,
  onSignedIn,
  onRestart,
}: {
  mfaToken: string;
  linkToken?: string;
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
        {linkToken && <input type="hidden" name="linkToken" value={linkToken} />}
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
