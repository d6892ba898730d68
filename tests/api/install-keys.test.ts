import { createCipheriv, createDecipheriv, randomBytes, webcrypto } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '#server/config.ts';
import { openDatabase } from '#server/db/orm.ts';
import { StoredKeyEntity } from '#server/modules/keys/stored-key.entity.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { runAdminCommand } from '#tests/helpers/admin-command.ts';
import { signIn } from '#tests/helpers/admin.ts';
import { freshDatabaseEnv } from '#tests/helpers/test-database.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  decodeJwt,
  signUpAndVerify,
  startTestServer,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §11: signing keys, the two-factor key and the device-cookie key live in the database,
// sealed with a key derived from MASTER_KEY, so instances that share nothing but the database
// (and MASTER_KEY) accept each other's tokens, codes and cookies; key files of an earlier install
// are imported; `rotate-keys` adds a key that is published before it signs.

const MASTER_KEY = randomBytes(32).toString('base64url');
const PUBLIC_URL = 'http://latchkey.test';
const origin = PUBLIC_URL;

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-keys-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A DATA_DIR of its own for each instance: the only thing they share is the database. */
async function ownDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(root, 'instance-'));
}

const jwksKids = async (server: TestServer) =>
  ((await (await server.fetch('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }).keys.map(
    (key) => key.kid,
  );

describe('two instances that share only the database and MASTER_KEY', () => {
  let servers: TestServer[];
  let member: SignedUp;

  beforeAll(async () => {
    const database = await freshDatabaseEnv(root);
    const env = async () => ({ ...database, MASTER_KEY, PUBLIC_URL, DATA_DIR: await ownDataDir() });
    // Started at the same moment on an empty keys table: they must end up with the same keys.
    servers = await Promise.all([startTestServer(await env()), startTestServer(await env())]);
    member = await signUpAndVerify(servers[0]!, {}, { origin });
  });
  afterAll(async () => {
    for (const server of servers ?? []) await server.close();
  });

  test('an access token and a refresh cookie issued by one instance work on the other, and both publish the same JWKS', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    expect(await jwksKids(b)).toEqual(await jwksKids(a));
    const onB = b.client({ bearer: member.session.accessToken, origin });
    expect((await onB.trpc.auth.me.query()).id).toBe(member.session.user.id);
    const tab = member.client.fork();
    const viaB = b.client({ origin });
    for (const [name, value] of tab.cookies) viaB.cookies.set(name, value);
    const refreshed = await viaB.trpc.auth.refresh.mutate();
    expect(refreshed.user.id).toBe(member.session.user.id);
  });

  test('two-factor codes set up through one instance are checked by the other', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const owner = await signUpAndVerify(a, {}, { origin });
    const { secret } = await owner.client.trpc.auth.mfa.setup.mutate();
    await owner.client.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, new Date()) });
    const attempt = await b.client({ origin }).trpc.auth.login.mutate({ email: owner.email, password: owner.password });
    if (attempt.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${attempt.status}`);
    // The next step's code: the current one was spent by enable (API.md §5: a code is accepted once).
    const session = await b
      .client({ origin })
      .trpc.auth.verifyMfa.mutate({ mfaToken: attempt.mfaToken, code: totpAt(secret, new Date(), 1) });
    expect(session.user.id).toBe(owner.session.user.id);
  });

  test('the keys table holds no key in the clear: a copy of the database alone reveals no secret', async () => {
    const rows = await servers[0]!.app.deps.orm.em.fork().find(StoredKeyEntity, {});
    expect(rows.map((row) => row.purpose).sort()).toEqual(['device-cookie', 'secret-box', 'signing']);
    const current = servers[0]!.app.deps.keys.current;
    const signing = rows.find((row) => row.id === current.kid)!;
    expect(signing.sealed).not.toContain('"d"');
    expect(signing.sealed).not.toContain(current.publicJwk.x!);
  });

  test('a server whose MASTER_KEY differs refuses to start with one line, instead of making new keys', async () => {
    const database = await freshDatabaseEnv(root);
    const first = await startTestServer({ ...database, MASTER_KEY, DATA_DIR: await ownDataDir() });
    await first.close();
    await expect(
      startTestServer({ ...database, MASTER_KEY: randomBytes(32).toString('base64url'), DATA_DIR: await ownDataDir() }),
    ).rejects.toThrow(/^MASTER_KEY does not open the keys kept in the database/);
  });
});

describe('an install from before keys lived in the database', () => {
  test('its key files are imported on first start: its signing key keeps signing and its two-factor key still opens the secrets', async () => {
    const dataDir = await ownDataDir();
    // The earlier install's database is there already (migrated since), its keys in files beside it.
    const database = await freshDatabaseEnv(dataDir);
    await (await openDatabase({ ...loadConfig({ ...database, DATA_DIR: dataDir }) })).close();
    const keyDir = path.join(dataDir, 'keys');
    await fs.mkdir(keyDir, { recursive: true });
    // The files an earlier version wrote: an ES256 private JWK and two 32-byte keys, base64.
    const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const kid = 'earlier-install-key';
    const createdAt = new Date(Date.now() - 60_000).toISOString();
    const privateJwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
    await fs.writeFile(path.join(keyDir, `${kid}.json`), JSON.stringify({ kid, createdAt, privateJwk }));
    const secretBoxKey = randomBytes(32);
    await fs.writeFile(path.join(keyDir, 'secret-box.key'), secretBoxKey.toString('base64'));
    await fs.writeFile(path.join(keyDir, 'device-cookie.key'), randomBytes(32).toString('base64'));

    // An earlier install's two-factor secret, sealed with its file key (AES-256-GCM, v1 format).
    const seal = (plain: Buffer) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secretBoxKey, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    };
    const server = await startTestServer({ ...database, DATA_DIR: dataDir });
    try {
      expect(await jwksKids(server)).toEqual([kid]);
      const member = await signUpAndVerify(server);
      expect(decodeJwt(member.session.accessToken).header.kid).toBe(kid);

      // A secret sealed with the old file key is opened by the server: two-factor sign-in works.
      const secretBytes = randomBytes(20);
      const em = server.app.deps.orm.em.fork();
      await em.nativeUpdate(
        UserEntity,
        { id: member.session.user.id },
        { mfaSecret: seal(secretBytes), mfaEnabledAt: new Date() },
      );
      const { encodeBase32NoPadding } = await import('@oslojs/encoding');
      const base32 = encodeBase32NoPadding(secretBytes);
      const attempt = await server.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
      if (attempt.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${attempt.status}`);
      const session = await server
        .client()
        .trpc.auth.verifyMfa.mutate({ mfaToken: attempt.mfaToken, code: totpAt(base32, new Date()) });
      expect(session.user.id).toBe(member.session.user.id);

      // And what the server seals now opens with the old file key too: nothing was re-keyed.
      const stored = await server.app.deps.orm.em.fork().findOneOrFail(UserEntity, { id: member.session.user.id });
      const raw = Buffer.from(stored.mfaSecret!.split('.')[1]!, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', secretBoxKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      expect(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()])).toEqual(secretBytes);
    } finally {
      await server.close();
    }
  });
});

describe('npm run admin -- rotate-keys', () => {
  test('adds a key that is published at once and signs only after its activation, while tokens of the old key stay valid', async () => {
    const dataDir = await ownDataDir();
    const env = { ...(await freshDatabaseEnv(dataDir)), DATA_DIR: dataDir };
    const server = await startTestServer(env);
    try {
      const member = await signUpAndVerify(server);
      const oldKid = decodeJwt(member.session.accessToken).header.kid as string;

      const result = await runAdminCommand(['rotate-keys'], { env });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const newKid = /Added the signing key (\S+):/.exec(result.stdout)?.[1];
      expect(newKid).toBeTruthy();

      // Every instance reads the keys again within a minute; here, at once.
      await server.app.deps.keys.reload();
      expect((await jwksKids(server)).sort()).toEqual([oldKid, newKid].sort());
      const before = await signIn(server, member.email, member.password);
      expect(decodeJwt(before.bearer!).header.kid).toBe(oldKid);

      // Six minutes on, the new key signs; the old key's access and refresh tokens still work.
      server.shiftClock(7 * 60);
      const after = await signIn(server, member.email, member.password);
      expect(decodeJwt(after.bearer!).header.kid).toBe(newKid);
      expect((await before.trpc.auth.me.query()).id).toBe(member.session.user.id);
      const refreshed = await member.client.trpc.auth.refresh.mutate();
      expect(decodeJwt(refreshed.accessToken).header.kid).toBe(newKid);
      expect(await jwksKids(server)).toContain(oldKid);
    } finally {
      await server.close();
    }
  });
});
