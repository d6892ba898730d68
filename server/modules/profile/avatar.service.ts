import type { EntityManager } from '@mikro-orm/core';
import type { AvatarResult } from '#shared/schemas/profile.ts';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { enforceRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { toAvatarWebp } from './avatar-image.ts';
import { deleteAvatarFile, writeAvatarFile } from './avatar-store.ts';
import { avatarUrl } from './avatar-url.ts';
import { ProfileEntity } from './profile.entity.ts';

/** Deletes a file no profile uses any more (identical images share one content-addressed file). */
export async function releaseAvatarFile(em: EntityManager, deps: Deps, name: string): Promise<void> {
  if ((await em.count(ProfileEntity, { avatarFile: name })) === 0) await deleteAvatarFile(deps.config.dataDir, name);
}

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
  const name = await writeAvatarFile(deps.config.dataDir, webp);
  const profile = await em.findOneOrFail(ProfileEntity, { user: user.id });
  const previous = profile.avatarFile;
  profile.avatarFile = name;
  await em.flush();
  if (previous && previous !== name) await releaseAvatarFile(em, deps, previous);
  return { avatarUrl: avatarUrl(name)! };
}

export async function removeAvatar(em: EntityManager, deps: Deps, user: User): Promise<void> {
  const profile = await em.findOneOrFail(ProfileEntity, { user: user.id });
  const previous = profile.avatarFile;
  if (!previous) return;
  profile.avatarFile = null;
  await em.flush();
  await releaseAvatarFile(em, deps, previous);
}
