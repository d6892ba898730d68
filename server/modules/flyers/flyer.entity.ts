import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { FLYER_STATUSES } from '#shared/schemas/flyers.ts';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

export const FlyerEntity = defineEntity({
  name: 'Flyer',
  tableName: 'flyers',
  // profile.get lists a member's published flyers, newest first.
  indexes: [{ properties: ['user', 'status', 'publishedAt'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade'),
    title: p.string().length(480),
    body: p.text(),
    status: p.enum([...FLYER_STATUSES]).default('draft'),
    createdAt: p.datetime().onCreate(() => new Date()),
    // Set by the service from the server's clock, like every other time on a flyer.
    updatedAt: p.datetime(),
    publishedAt: p.datetime().nullable(),
  },
});
export type FlyerRecord = InferEntity<typeof FlyerEntity>;
