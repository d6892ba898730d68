import type { EntityManager } from '@mikro-orm/core';
import type { OrgEventType } from '#shared/org-events.ts';
import type { OrgRole } from '#shared/roles.ts';
import type { OrgEventPage, OrgLogInput } from '#shared/schemas/orgs.ts';
import { olderThan, pageOf } from '#server/lib/cursor.ts';
import { displayNames } from '#server/modules/profile/display-names.ts';
import type { OrgAccess } from './org-access.ts';
import { OrgEventEntity, type OrgEventRecord } from './org-event.entity.ts';

export type OrgEventInput = {
  orgId: string;
  type: OrgEventType;
  actorId: string | null;
  subjectId?: string | null;
  subjectEmail?: string | null;
  role?: OrgRole | null;
  at: Date;
};

/** Adds a line to the organization's log; written with the change it records, in the same flush. */
export function recordOrgEvent(em: EntityManager, event: OrgEventInput): void {
  em.create(OrgEventEntity, {
    org: event.orgId,
    type: event.type,
    actorId: event.actorId,
    subjectId: event.subjectId ?? null,
    subjectEmail: event.subjectEmail ?? null,
    role: event.role ?? null,
    at: event.at,
  });
}

const DEFAULT_PAGE = 25;

/** Newest first; people by the name they show now, or null when their account is gone. */
export async function listOrgLog(em: EntityManager, access: OrgAccess, input: OrgLogInput): Promise<OrgEventPage> {
  const limit = input.limit ?? DEFAULT_PAGE;
  const rows = await em.find(
    OrgEventEntity,
    { org: access.org.id, ...olderThan(input.cursor, 'at') },
    { orderBy: { at: 'desc', id: 'desc' }, limit: limit + 1 },
  );
  const { page, nextCursor } = pageOf(rows, limit, (event) => event.at);
  const names = await displayNames(
    em,
    page.flatMap((event) => [event.actorId, event.subjectId].filter((id): id is string => id !== null)),
  );
  const person = (id: string | null | undefined) => {
    const name = id ? names.get(id) : undefined;
    return id && name !== undefined ? { userId: id, name } : null;
  };
  // An invitation's subject is the address invited; a member's, the member.
  const subjectOf = (event: OrgEventRecord) => {
    if (event.subjectEmail) return { userId: null, name: event.subjectEmail, email: event.subjectEmail };
    const subject = person(event.subjectId);
    return subject && { ...subject, email: null };
  };
  return {
    items: page.map((event) => ({
      id: event.id,
      type: event.type,
      at: event.at.toISOString(),
      actor: person(event.actorId),
      subject: subjectOf(event),
      role: event.role ?? null,
    })),
    nextCursor,
  };
}
