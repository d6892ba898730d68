import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Avatar images in the database (API.md §11), so every instance serves every picture. Keyed by
 * the content's SHA-256: members who upload the same picture share one row, which goes when the
 * last profile using it lets go (avatar.service.ts).
 */
export const AvatarEntity = defineEntity({
  name: 'Avatar',
  tableName: 'avatars',
  properties: {
    /** `<sha256 hex>.webp`, the name in its URL and in profiles.avatar_file. */
    name: p.string().length(80).primary(),
    /** The re-encoded 512 px WebP. */
    data: p.blob(),
    createdAt: p.datetime(),
  },
});
export type Avatar = InferEntity<typeof AvatarEntity>;
