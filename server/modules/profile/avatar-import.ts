import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Orm } from '#server/db/orm.ts';
import { executeSql } from '#server/lib/sql.ts';
import { avatarNameOf, insertAvatar, isAvatarName } from './avatar-store.ts';

/**
 * An install from before avatars lived in the database kept them in DATA_DIR/avatars. On start,
 * the pictures profiles still use move into the table, and the directory's files are removed once
 * nobody can need them (an erased member's picture must not outlive the account on disk). A file
 * that cannot be read stays, and its profile keeps pointing at it: a later start tries again.
 */
export async function importAvatarFiles(orm: Orm, dataDir: string, log: FastifyBaseLogger): Promise<void> {
  const directory = path.join(dataDir, 'avatars');
  const files = await fs.readdir(directory).catch(() => null);
  if (!files) return;
  const em = orm.em.fork();
  const missing = new Set(
    (
      await executeSql<{ avatar_file: string }[]>(
        em,
        'select distinct avatar_file from profiles where avatar_file is not null and avatar_file not in (select name from avatars)',
        [],
        'all',
      )
    ).map((row) => row.avatar_file),
  );
  const kept: string[] = [];
  let imported = 0;
  for (const file of files) {
    if (!isAvatarName(file)) {
      // Half-written uploads of the old store (dot files) and anything else that is not a picture of ours.
      if (file.startsWith('.') && file.endsWith('.tmp')) await fs.rm(path.join(directory, file), { force: true });
      else kept.push(file);
      continue;
    }
    if (missing.has(file)) {
      try {
        const webp = await fs.readFile(path.join(directory, file));
        // A file whose bytes are not its name would be served under another picture's URL.
        if (avatarNameOf(webp) !== file) throw new Error('its content does not match its name');
        await insertAvatar(em, file, webp, new Date());
        imported++;
      } catch (error) {
        log.warn({ err: error, file }, 'an avatar file could not be imported; the next start tries again');
        kept.push(file);
        continue;
      }
    }
    await fs.rm(path.join(directory, file), { force: true });
  }
  if (imported > 0) log.info({ count: imported }, 'avatar files imported into the database');
  if (kept.length === 0) await fs.rmdir(directory).catch(() => {});
}
