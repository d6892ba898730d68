import path from 'node:path';
import type { TestServer } from './test-server.ts';

/** The names of the pictures in the server's avatars table (the database, API.md §11). */
export async function storedAvatars(server: TestServer): Promise<string[]> {
  const rows = await server.app.deps.orm.em
    .fork()
    .getConnection()
    .execute<{ name: string }[]>('select name from avatars');
  return rows.map((row) => row.name).sort();
}

/** The stored bytes behind an avatarUrl, or null when no row holds it. */
export async function storedAvatar(server: TestServer, avatarUrl: string): Promise<Buffer | null> {
  const rows = await server.app.deps.orm.em
    .fork()
    .getConnection()
    .execute<{ data: Uint8Array }[]>('select data from avatars where name = ?', [path.basename(avatarUrl)]);
  return rows[0] ? Buffer.from(rows[0].data) : null;
}
