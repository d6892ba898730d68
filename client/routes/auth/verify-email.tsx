import { useEffect, useRef } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { signedIn } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const verify = trpc.auth.verifyEmail.useMutation();
  const started = useRef(false);

  useEffect(() => {
    // The token is single use: never send it twice, whatever React does with effects.
    if (started.current || !token) return;
    started.current = true;
    verify.mutate(
      { token },
      {
        onSuccess: (session) => {
          signedIn(session);
          navigate('/', { replace: true, state: { notice: 'Your email is confirmed. Welcome to Latchkey!' } });
        },
      },
    );
  }, [token, verify, navigate]);

  const problem = !token
    ? 'This link is incomplete. Open the link from the email again.'
    : verify.error
      ? toProblem(verify.error).message
      : null;
  return (
    <div className="page page--narrow">
      <div className="card">
        <PageHeading title={problem ? 'We could not confirm your email' : 'Confirming your email'} />
        {problem ? (
          <div className="stack">
            <Alert tone="error">{problem}</Alert>
            <Link to="/check-email" className="button button--primary">
              Send a new link
            </Link>
          </div>
        ) : (
          <Spinner label="One moment…" />
        )}
      </div>
    </div>
  );
}
