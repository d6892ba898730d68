import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ORG_ROLES } from '#shared/roles.ts';
import { newId } from '#server/lib/ids.ts';
import { OrganizationEntity } from './organization.entity.ts';

/** An invitation into an organization; the link's secret is stored only as its SHA-256. */
export const OrgInvitationEntity = defineEntity({
  name: 'OrgInvitation',
  tableName: 'org_invitations',
  indexes: [{ properties: ['org', 'createdAt'] }, { properties: ['org', 'emailNormalized'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    org: () => p.manyToOne(OrganizationEntity).deleteRule('cascade'),
    email: p.string().length(320),
    emailNormalized: p.string().length(320),
    role: p.enum([...ORG_ROLES]),
    tokenHash: p.string().length(64).unique(),
    /** The member who sent it, as an id: the invitation outlives their account. */
    invitedBy: p.string().length(64),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type OrgInvitationRecord = InferEntity<typeof OrgInvitationEntity>;
