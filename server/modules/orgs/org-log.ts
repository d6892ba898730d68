import type { EntityManager } from '@mikro-orm/core';
import type { OrgEventType } from '#shared/org-events.ts';
import type { OrgRole } from '#shared/roles.ts';
import { OrgEventEntity } from './org-event.entity.ts';

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
