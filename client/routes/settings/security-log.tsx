import { describeSecurityEvent } from '#shared/security-events.ts';
import { describeDevice } from '#shared/user-agent.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { useDateFormatter, useRelativeTimeFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';

const PAGE_SIZE = 10;

/** The account's own security events, readable: "Signed in · Firefox on Linux, 192.0.2.1, 3 minutes ago". */
export function SecurityLog() {
  const events = trpc.auth.securityEvents.useInfiniteQuery(
    { limit: PAGE_SIZE },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const formatDate = useDateFormatter();
  const ago = useRelativeTimeFormatter();
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="card stack" aria-labelledby="security-log-title">
      <h2 id="security-log-title">Security log</h2>
      <p className="field__hint">
        Sign-ins and changes to your account. Anything you do not recognise? Change your password and sign out other
        devices.
      </p>
      {events.isPending && <Spinner label="Loading your security log…" />}
      {events.isError && <LoadError what="your security log" onRetry={() => void events.refetch()} />}
      {events.data && items.length === 0 && <p className="empty">Nothing yet.</p>}
      {items.length > 0 && (
        <ul className="item-list">
          {items.map((event) => (
            <li key={event.id} className="item-list__item">
              <div>
                <p className="item-list__title">{describeSecurityEvent(event.type)}</p>
                <p className="field__hint">
                  {[event.userAgent && describeDevice(event.userAgent), event.ip].filter(Boolean).join(', ')}
                  {event.userAgent || event.ip ? ', ' : ''}
                  <time dateTime={event.at} title={formatDate(event.at, 'dateTime')}>
                    {ago(event.at)}
                  </time>
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
      {events.hasNextPage && (
        <div>
          <Button
            variant="secondary"
            size="small"
            busy={events.isFetchingNextPage}
            busyLabel="Loading…"
            onClick={() => void events.fetchNextPage()}
          >
            Show earlier events
          </Button>
        </div>
      )}
    </section>
  );
}
