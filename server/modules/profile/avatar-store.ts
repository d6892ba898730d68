import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { storeOf } from '#server/db/stores/store.ts';
import { executeSql } from '#server/lib/sql.ts';
import { AvatarEntity } from './avatar.entity.ts';
import { ProfileEntity } from './profile.entity.ts';

const NAME = /^[a-f0-9]{64}\.webp$/;

export function isAvatarName(name: string): boolean {
  return NAME.test(name);
}

/** Content-addressed: a picture's name is its SHA-256, so a new picture is a new URL. */
export function avatarNameOf(webp: Buffer): string {
  return `${createHash('sha256').update(webp).digest('hex')}.webp`;
}

const lockOf = (name: string) => `avatar:${name}`;

/** Stores a picture under its name; a picture stored already stays as it is. */
export async function insertAvatar(em: EntityManager, name: string, webp: Buffer, at: Date): Promise<void> {
  await executeSql(
    em,
    'insert into avatars (name, data, created_at) values (?, ?, ?) on conflict (name) do nothing',
    [name, webp, at],
    'run',
  );
}

/**
 * Makes `webp` the member's picture: its name, and the one it replaces. The image row and
 * the profile change commit together, under the picture's lock, so a release of the same picture
 * by another member (below) either runs before (and the row is written again) or sees this profile.
 */
export async function saveAvatar(
  em: EntityManager,
  userId: string,
  webp: Buffer,
  now: Date,
): Promise<{ name: string; replaced: string | null }> {
  const name = avatarNameOf(webp);
  return em.transactional(async (tx) => {
    await storeOf(tx).lock(tx, lockOf(name));
    await insertAvatar(tx, name, webp, now);
    const profile = await tx.findOneOrFail(ProfileEntity, { user: userId });
    const previous = profile.avatarFile ?? null;
    profile.avatarFile = name;
    await tx.flush();
    return { name, replaced: previous === name ? null : previous };
  });
}

/** Deletes a picture no profile uses any more (identical images share one row). */
export async function releaseAvatar(em: EntityManager, name: string): Promise<void> {
  await em.transactional(async (tx) => {
    await storeOf(tx).lock(tx, lockOf(name));
    await executeSql(
      tx,
      'delete from avatars where name = ? and not exists (select 1 from profiles where avatar_file = ?)',
      [name, name],
      'run',
    );
  });
}

export async function readAvatar(em: EntityManager, name: string): Promise<Buffer | null> {
  if (!isAvatarName(name)) return null;
  const avatar = await em.findOne(AvatarEntity, { name }, { fields: ['data'] });
  return avatar ? Buffer.from(avatar.data) : null;
}
