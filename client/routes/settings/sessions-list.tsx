import { useRef } from 'react';
import { describeDevice } from '#shared/user-agent.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { useDateFormatter, useRelativeTimeFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';

/** Every device signed in to the account; any of them can be signed out from here. */
export function SessionsList() {
  const utils = trpc.useUtils();
  const titleRef = useRef<HTMLHeadingElement>(null);
  const sessions = trpc.auth.sessions.list.useQuery();
  const refresh = async () => {
    await Promise.all([utils.auth.sessions.list.invalidate(), utils.auth.securityEvents.invalidate()]);
    // The pressed button leaves with the row it signed out: keep the focus in this section, not on the page.
    const active = document.activeElement;
    if (!active || active === document.body || titleRef.current?.parentElement?.contains(active))
      titleRef.current?.focus();
  };
  const revoke = trpc.auth.sessions.revoke.useMutation({ onSuccess: refresh });
  const revokeOthers = trpc.auth.sessions.revokeOthers.useMutation({ onSuccess: refresh });
  const formatDate = useDateFormatter();
  const ago = useRelativeTimeFormatter();
  const error = revoke.error ?? revokeOthers.error;
  const others = sessions.data?.filter((session) => !session.current).length ?? 0;

  return (
    <section className="card stack" aria-labelledby="sessions-title">
      <h2 id="sessions-title" ref={titleRef} tabIndex={-1}>
        Where you are signed in
      </h2>
      {sessions.isPending && <Spinner label="Loading your sessions…" />}
      {sessions.isError && <LoadError what="your sessions" onRetry={() => void sessions.refetch()} />}
      {error && <Alert tone="error">{toProblem(error).message}</Alert>}
      {sessions.data && (
        <ul className="item-list">
          {sessions.data.map((session) => (
            <li key={session.id} className="item-list__item">
              <div>
                <p className="item-list__title">
                  {describeDevice(session.userAgent)}{' '}
                  {session.current && <span className="badge badge--success">This device</span>}
                </p>
                <p className="field__hint">
                  {session.ip} · signed in {formatDate(session.createdAt, 'dateTime')} · last active{' '}
                  {ago(session.lastUsedAt)}
                </p>
              </div>
              {!session.current && (
                <Button
                  variant="secondary"
                  size="small"
                  busy={revoke.isPending && revoke.variables?.sessionId === session.id}
                  onClick={() => revoke.mutate({ sessionId: session.id })}
                  aria-label={`Sign out ${describeDevice(session.userAgent)}, signed in ${formatDate(session.createdAt, 'dateTime')}`}
                >
                  Sign out
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others > 0 && (
        <div>
          <Button
            variant="secondary"
            busy={revokeOthers.isPending}
            busyLabel="Signing out…"
            onClick={() => revokeOthers.mutate()}
          >
            Sign out everywhere else
          </Button>
        </div>
      )}
    </section>
  );
}
