import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ROLES } from '#shared/roles.ts';
import { newId } from '#server/lib/ids.ts';

/** An invitation to join with a role; the link's secret is stored only as its SHA-256. */
export const InvitationEntity = defineEntity({
  name: 'Invitation',
  tableName: 'invitations',
  indexes: [{ properties: ['createdAt'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    email: p.string().length(320),
    emailNormalized: p.string().length(320).index(),
    role: p.enum([...ROLES]),
    tokenHash: p.string().length(64).unique(),
    /** The admin who sent it (kept as an id: the invitation outlives a deleted admin). */
    invitedBy: p.string().length(64),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type InvitationRecord = InferEntity<typeof InvitationEntity>;
