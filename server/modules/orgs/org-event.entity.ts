import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ORG_ROLES } from '#shared/roles.ts';
import { ORG_EVENT_TYPES } from '#shared/org-events.ts';
import { newId } from '#server/lib/ids.ts';
import { OrganizationEntity } from './organization.entity.ts';

/**
 * One line of an organization's log. People are kept as ids, not foreign keys: the log outlives
 * an account, whose name then reads as gone.
 */
export const OrgEventEntity = defineEntity({
  name: 'OrgEvent',
  tableName: 'org_events',
  indexes: [{ properties: ['org', 'at'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    org: () => p.manyToOne(OrganizationEntity).deleteRule('cascade'),
    type: p.enum([...ORG_EVENT_TYPES]),
    actorId: p.string().length(64).nullable(),
    subjectId: p.string().length(64).nullable(),
    subjectEmail: p.string().length(320).nullable(),
    role: p.enum([...ORG_ROLES]).nullable(),
    at: p.datetime(),
  },
});
export type OrgEventRecord = InferEntity<typeof OrgEventEntity>;
