import type { EntityManager } from '@mikro-orm/core';
import type { AvatarResult } from '#shared/schemas/profile.ts';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { enforceRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { toAvatarWebp } from './avatar-image.ts';
import { releaseAvatar, saveAvatar } from './avatar-store.ts';
import { avatarUrl } from './avatar-url.ts';
import { ProfileEntity } from './profile.entity.ts';

export async function uploadAvatar(em: EntityManager, deps: Deps, user: User, form: FormData): Promise<AvatarResult> {
  await enforceRateLimit(
    em,
    RATE_LIMITS.avatarUploadPerUser,
    user.id,
    deps.now(),
    'You changed your picture many times in the last hour. Try again later.',
  );
  const file = form.get('file');
  if (!(file instanceof Blob) || file.size === 0)
    throw new AppError('INVALID_IMAGE', 'Choose an image file to upload.');
  const webp = await toAvatarWebp(Buffer.from(await file.arrayBuffer()));
  const { name, replaced } = await saveAvatar(em, user.id, webp, deps.now());
  if (replaced) await releaseAvatar(em, replaced);
  return { avatarUrl: avatarUrl(name)! };
}

export async function removeAvatar(em: EntityManager, user: User): Promise<void> {
  const profile = await em.findOneOrFail(ProfileEntity, { user: user.id });
  const previous = profile.avatarFile;
  if (!previous) return;
  profile.avatarFile = null;
  await em.flush();
  await releaseAvatar(em, previous);
}
