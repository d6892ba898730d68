import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { updateUser, useSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

export function ConfirmEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const session = useSession();
  const utils = trpc.useUtils();
  const confirm = trpc.auth.email.confirmChange.useMutation();
  const started = useRef(false);

  useEffect(() => {
    // Single use: never send the token twice, whatever React does with effects.
    if (started.current || !token) return;
    started.current = true;
    confirm.mutate({ token });
  }, [token, confirm]);

  useEffect(() => {
    // A signed-in page shows the new address at once.
    if (confirm.isSuccess && session.status === 'signed_in') void utils.auth.me.fetch().then(updateUser);
  }, [confirm.isSuccess, session.status, utils]);

  const problem = !token
    ? 'This link is incomplete. Open the link from the email again.'
    : confirm.error
      ? toProblem(confirm.error).message
      : null;
  return (
    <div className="page page--narrow">
      <div className="card stack">
        <PageHeading
          title={
            problem
              ? 'We could not change your email'
              : confirm.isSuccess
                ? 'Email address changed'
                : 'Confirming your new email'
          }
        />
        {problem && <Alert tone="error">{problem}</Alert>}
        {confirm.isSuccess && (
          <Alert tone="success">Your account now uses this address. Sign in with it from now on.</Alert>
        )}
        {!problem && !confirm.isSuccess && <Spinner label="One moment…" />}
        {(problem || confirm.isSuccess) && (
          <Link to={session.status === 'signed_in' ? '/settings/account' : '/login'} className="button button--primary">
            {session.status === 'signed_in' ? 'Back to your account' : 'Log in'}
          </Link>
        )}
      </div>
    </div>
  );
}
