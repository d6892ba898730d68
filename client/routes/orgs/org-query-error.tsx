import { useEffect } from 'react';
import { Link } from 'react-router';
import { LoadError } from '#client/components/load-error.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { reasonOf } from '#client/lib/errors.ts';
import { trpc } from '#client/lib/trpc.ts';

/**
 * A failed load inside an organization. Membership and role are read on every call, so NOT_FOUND or
 * FORBIDDEN means the caller was removed or their role changed meanwhile: say so, and reload their
 * organizations so the navigation matches.
 */
export function OrgQueryError({ what, error, onRetry }: { what: string; error: unknown; onRetry: () => void }) {
  const utils = trpc.useUtils();
  const reason = reasonOf(error);
  const lostAccess = reason === 'NOT_FOUND' || reason === 'FORBIDDEN';
  useEffect(() => {
    if (lostAccess) void utils.orgs.mine.invalidate();
  }, [lostAccess, utils]);
  if (!lostAccess) return <LoadError what={what} onRetry={onRetry} />;
  return (
    <Alert tone="error" title="You no longer have access to this">
      <p>
        Your role in this organization may have changed, or you were removed from it.{' '}
        <Link to="/orgs">See your organizations</Link>.
      </p>
    </Alert>
  );
}
