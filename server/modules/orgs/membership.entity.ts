import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ORG_ROLES } from '#shared/roles.ts';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { OrganizationEntity } from './organization.entity.ts';

/** A member of an organization with one role; read on every organization call, never cached. */
export const MembershipEntity = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  uniques: [{ properties: ['org', 'user'] }],
  // The members page lists by joining time; the owners count reads (org, role).
  indexes: [{ properties: ['org', 'createdAt'] }, { properties: ['org', 'role'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    org: () => p.manyToOne(OrganizationEntity).deleteRule('cascade'),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade').index(),
    role: p.enum([...ORG_ROLES]),
    createdAt: p.datetime(),
  },
});
export type Membership = InferEntity<typeof MembershipEntity>;
