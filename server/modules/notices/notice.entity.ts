import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { OrganizationEntity } from '#server/modules/orgs/organization.entity.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

/** A notice on an organization's board: it belongs to the organization, not to its author. */
export const NoticeEntity = defineEntity({
  name: 'Notice',
  tableName: 'notices',
  indexes: [{ properties: ['org', 'createdAt'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    org: () => p.manyToOne(OrganizationEntity).deleteRule('cascade'),
    // The board keeps a deleted member's notices, unsigned.
    author: () => p.manyToOne(UserEntity).deleteRule('set null').nullable().index(),
    title: p.string().length(480),
    body: p.text(),
    createdAt: p.datetime(),
  },
});
export type NoticeRecord = InferEntity<typeof NoticeEntity>;
