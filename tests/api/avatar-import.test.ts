import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { solidImage } from '#tests/helpers/images.ts';
import { storedAvatar, storedAvatars } from '#tests/helpers/stored-avatars.ts';
import { freshDatabaseEnv } from '#tests/helpers/test-database.ts';
import { signUpAndVerify, startTestServer, type TestServer } from '#tests/helpers/test-server.ts';
import { uploadAvatarOk } from '#tests/helpers/upload.ts';

// API.md §11: avatars live in the database. An install from before kept them as files in
// DATA_DIR/avatars; its first start on this version moves them into the table.

let dataDir: string;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-avatar-import-'));
});
afterAll(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const served = async (server: TestServer, avatarUrl: string) => {
  const response = await server.fetch(avatarUrl);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
};

test('the pictures of an earlier install are imported on start, served at the same URLs, and their files removed', async () => {
  const env = { ...(await freshDatabaseEnv(dataDir)), DATA_DIR: dataDir };
  const avatarDir = path.join(dataDir, 'avatars');

  // The earlier install: three members with pictures, which it kept as files named by their hash.
  const before = await startTestServer(env);
  const members = await Promise.all([signUpAndVerify(before), signUpAndVerify(before), signUpAndVerify(before)]);
  const urls = await Promise.all(
    members.map(async (member, index) =>
      uploadAvatarOk(before, member.session.accessToken, {
        bytes: await solidImage('png', 40, 40, { r: 60 * index, g: 120, b: 200 }),
      }),
    ),
  );
  const [first, second, damaged] = urls as [string, string, string];
  const bytes = await Promise.all(urls.map(async (url) => (await storedAvatar(before, url))!));
  await fs.mkdir(avatarDir, { recursive: true });
  await fs.writeFile(path.join(avatarDir, path.basename(first)), bytes[0]!);
  await fs.writeFile(path.join(avatarDir, path.basename(second)), bytes[1]!);
  // A file whose bytes are not those its name promises: never served under that name.
  await fs.writeFile(path.join(avatarDir, path.basename(damaged)), randomBytes(64));
  // A picture nobody uses any more, an upload cut off half-way, and a file that is none of ours.
  const orphan = `${'a'.repeat(64)}.webp`;
  await fs.writeFile(path.join(avatarDir, orphan), randomBytes(64));
  await fs.writeFile(path.join(avatarDir, `.${'b'.repeat(64)}.webp.123.456.tmp`), randomBytes(8));
  await fs.writeFile(path.join(avatarDir, 'notes.txt'), 'kept');
  await before.app.deps.orm.em.fork().getConnection().execute('delete from avatars');
  await before.close();

  const after = await startTestServer(env);
  try {
    for (const [index, url] of [first, second].entries()) {
      const answer = await served(after, url);
      expect(answer.status).toBe(200);
      expect(answer.bytes).toEqual(bytes[index]);
    }
    expect(await storedAvatars(after)).toEqual([path.basename(first), path.basename(second)].sort());
    const profile = await after.client().trpc.profile.get.query({ userId: members[0]!.session.user.id });
    expect(profile.avatarUrl).toBe(first);
    // The damaged file stays for someone to look at; its picture answers 404 instead of wrong bytes.
    expect((await served(after, damaged)).status).toBe(404);
    expect((await fs.readdir(avatarDir)).sort()).toEqual([path.basename(damaged), 'notes.txt'].sort());

    // Replacing an imported picture releases it like any other.
    const { email, password } = members[0]!;
    const session = await after.client().trpc.auth.login.mutate({ email, password });
    if (session.status !== 'signed_in') throw new Error(`expected signed_in, got ${session.status}`);
    await uploadAvatarOk(after, session.session.accessToken, {
      bytes: await solidImage('png', 40, 40, { r: 1, g: 2, b: 3 }),
    });
    expect((await served(after, first)).status).toBe(404);
  } finally {
    await after.close();
  }
});

test('a start with no avatars directory, or an empty one, imports nothing and removes the empty directory', async () => {
  const own = await fs.mkdtemp(path.join(dataDir, 'empty-'));
  const env = { ...(await freshDatabaseEnv(own)), DATA_DIR: own };
  const server = await startTestServer(env);
  await server.close();
  await fs.mkdir(path.join(own, 'avatars'));
  const again = await startTestServer(env);
  try {
    expect(await storedAvatars(again)).toEqual([]);
    await expect(fs.stat(path.join(own, 'avatars'))).rejects.toMatchObject({ code: 'ENOENT' });
  } finally {
    await again.close();
  }
});
