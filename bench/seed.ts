// Puts users, sessions, flyers and an organization's notices straight into the database (SQLite or
// PostgreSQL): the benchmark measures the server, not the seeding. Every seeded user has the same
// password (one real Argon2id hash). Instants are bound as Dates and flags as booleans, as the server
// binds them: PostgreSQL's timestamptz and boolean columns take no epoch numbers or 0/1, and
// node-sqlite3 stores a Date as its epoch milliseconds and a boolean as 0/1, what the ORM writes there.
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { ACCESS_TOKEN_TTL_SECONDS } from '#shared/constants.ts';
import { dialectOf } from '#server/db/prepared.ts';
import { executeSql } from '#server/lib/sql.ts';
import { signJwt } from '#server/modules/keys/jwt.ts';
import type { KeyRing } from '#server/modules/keys/signing-keys.ts';

const id = () => randomBytes(16).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const CHUNK = 400; // rows per insert statement, under SQLite's bound-parameter limit (PostgreSQL's is higher)

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
  const now = new Date();
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
      users.map((user) => [user.id, true]),
    );
    await insertRows(
      tx,
      'preferences',
      ['user_id', 'theme', 'locale', 'time_zone', 'security_alerts', 'product_updates'],
      users.map((user) => [user.id, 'system', 'en', 'UTC', false, false]),
    );
  });
  return users;
}

export async function seedFlyers(em: EntityManager, userId: string, count: number): Promise<void> {
  const now = new Date();
  const rows = Array.from({ length: count }, (_, i) => [
    id(),
    userId,
    `Flyer ${i}`,
    `Body of flyer ${i}. `.repeat(10),
    'published',
    now,
    now,
    new Date(now.getTime() - i * 1000),
  ]);
  await insertRows(
    em,
    'flyers',
    ['id', 'user_id', 'title', 'body', 'status', 'created_at', 'updated_at', 'published_at'],
    rows,
  );
}

/**
 * An organization with `members` (the first its owner, the others members) and `notices` notices
 * written by them in turn, a second apart: notices.list's board (API.md §14).
 */
export async function seedOrgWithNotices(em: EntityManager, members: SeededUser[], notices: number): Promise<string> {
  const now = new Date();
  const orgId = id();
  await em.transactional(async (tx) => {
    await insertRows(
      tx,
      'organizations',
      ['id', 'name', 'slug', 'created_at', 'updated_at'],
      [[orgId, 'Bench Org', 'bench-org', now, now]],
    );
    await insertRows(
      tx,
      'memberships',
      ['id', 'org_id', 'user_id', 'role', 'created_at'],
      members.map((member, i) => [id(), orgId, member.id, i === 0 ? 'owner' : 'member', now]),
    );
    await insertRows(
      tx,
      'notices',
      ['id', 'org_id', 'author_id', 'title', 'body', 'created_at'],
      Array.from({ length: notices }, (_, i) => [
        id(),
        orgId,
        members[i % members.length]!.id,
        `Notice ${i}`,
        `Body of notice ${i}. `.repeat(10),
        new Date(now.getTime() - i * 1000),
      ]),
    );
  });
  return orgId;
}

export type SeededSession = { accessToken: string; refreshToken: string };

/** Live sessions with tokens signed by the server's own key, as a sign-in would issue them. */
export async function seedSessions(
  em: EntityManager,
  keys: KeyRing,
  publicUrl: string,
  users: SeededUser[],
): Promise<SeededSession[]> {
  const now = new Date();
  const iat = Math.floor(now.getTime() / 1000);
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
        new Date(now.getTime() + 90 * 24 * 3600 * 1000),
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

/**
 * After a seeding, so that the server does not pay for it in measured time: SQLite moves the WAL
 * into the database file; PostgreSQL cleans up and, above all, gathers the statistics its planner
 * needs for the new rows (autovacuum would do it at some moment during a scenario).
 */
export async function settle(em: EntityManager): Promise<void> {
  const sql = dialectOf(em) === 'postgresql' ? 'vacuum analyze' : 'pragma wal_checkpoint(truncate)';
  await executeSql(em, sql, [], 'all');
}
