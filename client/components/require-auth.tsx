import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '#client/lib/session.ts';
import { Spinner } from './ui/spinner.tsx';

/** Pages for members only: a visitor goes to /login and comes back here after signing in. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'loading') {
    return (
      <div className="page center">
        <Spinner label="Loading your account…" />
      </div>
    );
  }
  if (session.status === 'signed_out') {
    return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  return children;
}
