import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';

/** An organization (API.md §14): its members, invitations and log hang off it and go with it. */
export const OrganizationEntity = defineEntity({
  name: 'Organization',
  tableName: 'organizations',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    name: p.string().length(320),
    slug: p.string().length(40).unique(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type Organization = InferEntity<typeof OrganizationEntity>;
