import type { EntityManager } from '@mikro-orm/core';
import type { Query } from '#server/db/prepared.ts';
import { newId } from '#server/lib/ids.ts';
import type { SecurityEventType } from '#shared/security-events.ts';
import type { SecurityEventItem, SecurityEventPage, SecurityEventsInput } from '#shared/schemas/sessions.ts';
import type { Client } from '#server/deps.ts';
import { olderThan, pageOf } from '#server/lib/cursor.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { SecurityEventEntity, type SecurityEvent } from './security-event.entity.ts';

/** Adds the event to the unit of work: it is written with the change it records, or not at all. */
export function recordSecurityEvent(
  em: EntityManager,
  event: { user: User | null; type: SecurityEventType; client: Client; at: Date; actor?: User; provider?: string },
): void {
  em.create(SecurityEventEntity, {
    user: event.user,
    type: event.type,
    at: event.at,
    ip: event.client.ip,
    userAgent: event.client.userAgent,
    actorId: event.actor?.id ?? null,
    provider: event.provider ?? null,
  });
}

const INSERT_SQL = `insert into security_events (id, user_id, type, at, ip, user_agent, provider)
  values (?, ?, ?, ?, ?, ?, ?)`;

/**
 * The event as a statement of server/db/prepared.ts, for the hot paths that write without the unit
 * of work. The ORM's subscriber does not see it: the caller logs it after the commit (logOwnSecurityEvent).
 */
export async function insertSecurityEvent(
  query: Query,
  event: { userId: string; type: SecurityEventType; client: Client; at: Date; provider?: string },
): Promise<void> {
  const { client } = event;
  await query(INSERT_SQL, [
    newId(),
    event.userId,
    event.type,
    event.at,
    client.ip,
    client.userAgent,
    event.provider ?? null,
  ]);
}

const DEFAULT_PAGE = 20;

/** The caller's own events, newest first, a page at a time (the cursor is the last item seen). */
export async function listSecurityEvents(
  em: EntityManager,
  user: User,
  input: SecurityEventsInput,
): Promise<SecurityEventPage> {
  const limit = input?.limit ?? DEFAULT_PAGE;
  const rows = await em.find(
    SecurityEventEntity,
    { user: user.id, ...olderThan(input?.cursor, 'at') },
    { orderBy: { at: 'desc', id: 'desc' }, limit: limit + 1 },
  );
  const { page, nextCursor } = pageOf(rows, limit, (event) => event.at);
  return { items: page.map(toSecurityEventItem), nextCursor };
}

/** An event as its member (and, with who it is about, an administrator) sees it. */
export const toSecurityEventItem = (event: SecurityEvent): SecurityEventItem => ({
  id: event.id,
  type: event.type,
  at: event.at.toISOString(),
  ip: event.ip ?? null,
  userAgent: event.userAgent ?? null,
});
