import { describeOrgEvent } from '#shared/org-events.ts';
import type { OrgEvent } from '#shared/schemas/orgs.ts';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { ORG_ROLE_LABEL } from '#client/lib/orgs.ts';
import { useDateFormatter, useRelativeTimeFormatter } from '#client/lib/preferences.ts';
import { trpc } from '#client/lib/trpc.ts';
import { useOrg } from './org-context.ts';
import { OrgQueryError } from './org-query-error.tsx';

const subjectOf = (event: OrgEvent) => (event.subject ? event.subject.name || event.subject.email || 'A member' : null);

/** Who did it, to whom, with which role: the parts an event has. */
function detailsOf(event: OrgEvent): string {
  const parts = [`By ${event.actor ? event.actor.name || 'a member without a name' : 'a former member'}`];
  const subject = subjectOf(event);
  // Joining and leaving are done by the subject themselves: their name once is enough.
  const self = event.subject?.userId != null && event.subject.userId === event.actor?.userId;
  if (subject && !self) parts.push(subject);
  if (event.role) parts.push(ORG_ROLE_LABEL[event.role]);
  return parts.join(' · ');
}

export function OrgLogPage() {
  const { org } = useOrg();
  const log = trpc.orgs.log.useInfiniteQuery(
    { orgId: org.id, limit: 25 },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const formatDate = useDateFormatter();
  const ago = useRelativeTimeFormatter();
  const items = log.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="stack">
      <PageHeading title={`Activity log · ${org.name}`}>Activity log</PageHeading>
      <p className="field__hint">Who joined, left, was invited or changed role, and who did it. Newest first.</p>
      {log.isPending && <Spinner label="Loading the activity log…" />}
      {log.isError && <OrgQueryError what="the activity log" error={log.error} onRetry={() => void log.refetch()} />}
      {log.data && items.length === 0 && <p className="empty">Nothing has happened yet.</p>}
      {items.length > 0 && (
        <ul className="card item-list" aria-label="Activity">
          {items.map((event) => (
            <li key={event.id} className="item-list__item log-item">
              <div className="org-item__text">
                <p className="item-list__title">{describeOrgEvent(event.type)}</p>
                <p className="field__hint">{detailsOf(event)}</p>
              </div>
              <p className="field__hint log-item__time">
                <time dateTime={event.at}>{formatDate(event.at, 'dateTime')}</time>
                <br />
                {ago(event.at)}
              </p>
            </li>
          ))}
        </ul>
      )}
      {log.hasNextPage && (
        <div>
          <Button
            variant="secondary"
            busy={log.isFetchingNextPage}
            busyLabel="Loading…"
            onClick={() => void log.fetchNextPage()}
          >
            Show older events
          </Button>
        </div>
      )}
    </div>
  );
}
