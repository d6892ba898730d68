// Puts users, sessions and flyers straight into the database: the benchmark measures the server,
// not the seeding. Every seeded user has the same password (one real Argon2id hash).
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { ACCESS_TOKEN_TTL_SECONDS } from '#shared/constants.ts';
import { executeSql } from '#server/lib/sql.ts';
import { signJwt } from '#server/modules/keys/jwt.ts';
import type { KeyRing } from '#server/modules/keys/signing-keys.ts';

const id = () => randomBytes(16).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const CHUNK = 400; // rows per insert statement, under SQLite's bound-parameter limit

async function insertRows(em: EntityManager, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const placeholders = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    await executeSql(em, `insert into ${table} (${columns.join(', ')}) values ${placeholders}`, chunk.flat(), 'run');
  }
}

export type SeededUser = { id: string; email: string };

/** `count` verified users (with profile, privacy and preferences rows), emails user-<offset+i>@bench.test. */
export async function seedUsers(
  em: EntityManager,
  count: number,
  passwordHash: string,
  offset = 0,
): Promise<SeededUser[]> {
  const now = Date.now();
  const users = Array.from({ length: count }, (_, i) => ({ id: id(), email: `user-${offset + i}@bench.test` }));
  await em.transactional(async (tx) => {
    await insertRows(
      tx,
      'users',
      ['id', 'email', 'email_normalized', 'password_hash', 'email_verified_at', 'role', 'created_at', 'updated_at'],
      users.map((user) => [user.id, user.email, user.email, passwordHash, now, 'user', now, now]),
    );
    await insertRows(
      tx,
      'profiles',
      ['user_id', 'name', 'updated_at'],
      users.map((user, i) => [user.id, `Bench User ${offset + i}`, now]),
    );
    await insertRows(
      tx,
      'privacy_settings',
      ['user_id', 'allow_email_contact'],
      users.map((user) => [user.id, 1]),
    );
    await insertRows(
      tx,
      'preferences',
      ['user_id', 'theme', 'locale', 'time_zone', 'security_alerts', 'product_updates'],
      users.map((user) => [user.id, 'system', 'en', 'UTC', 0, 0]),
    );
  });
  return users;
}

export async function seedFlyers(em: EntityManager, userId: string, count: number): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => [
    id(),
    userId,
    `Flyer ${i}`,
    `Body of flyer ${i}. `.repeat(10),
    'published',
    now,
    now,
    now - i * 1000,
  ]);
  await insertRows(
    em,
    'flyers',
    ['id', 'user_id', 'title', 'body', 'status', 'created_at', 'updated_at', 'published_at'],
    rows,
  );
}

export type SeededSession = { accessToken: string; refreshToken: string };

/** Live sessions with tokens signed by the server's own key, as a sign-in would issue them. */
export async function seedSessions(
  em: EntityManager,
  keys: KeyRing,
  publicUrl: string,
  users: SeededUser[],
): Promise<SeededSession[]> {
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  const sessions = users.map((user) => ({ user, sid: id(), jti: randomBytes(32).toString('base64url') }));
  await em.transactional((tx) =>
    insertRows(
      tx,
      'sessions',
      ['id', 'user_id', 'created_at', 'last_used_at', 'expires_at', 'ip', 'user_agent', 'refresh_jti_hash'],
      sessions.map((s) => [
        s.sid,
        s.user.id,
        now,
        now,
        now + 90 * 24 * 3600 * 1000,
        '198.18.0.1',
        'bench',
        sha256(s.jti),
      ]),
    ),
  );
  return Promise.all(
    sessions.map(async (s) => {
      const base = { iss: publicUrl, aud: publicUrl, sub: s.user.id, sid: s.sid, iat };
      return {
        accessToken: await signJwt(keys, 'at+jwt', { ...base, role: 'user', exp: iat + ACCESS_TOKEN_TTL_SECONDS }),
        refreshToken: await signJwt(keys, 'refresh+jwt', { ...base, jti: s.jti, exp: iat + 30 * 24 * 3600 }),
      };
    }),
  );
}
