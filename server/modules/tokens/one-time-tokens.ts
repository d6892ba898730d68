import type { EntityManager } from '@mikro-orm/core';
import type { Query } from '#server/db/prepared.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { newId, newSecret } from '#server/lib/ids.ts';
import { OneTimeTokenEntity, type OneTimeToken, type TokenPurpose } from './one-time-token.entity.ts';

/** Adds a token to the unit of work and returns the secret for the link (never stored). */
export function createOneTimeToken(
  em: EntityManager,
  token: { purpose: TokenPurpose; user: User | null; email: string; ttlSeconds: number; now: Date },
): string {
  const secret = newSecret();
  em.create(OneTimeTokenEntity, {
    tokenHash: sha256Hex(secret),
    purpose: token.purpose,
    user: token.user,
    email: token.email,
    createdAt: token.now,
    expiresAt: new Date(token.now.getTime() + token.ttlSeconds * 1000),
  });
  return secret;
}

const INSERT_SQL = `insert into one_time_tokens (id, token_hash, purpose, user_id, email, created_at, expires_at)
  values (?, ?, ?, ?, ?, ?, ?)`;

/** The same token as a statement of server/db/prepared.ts, for a write made without the unit of work. */
export async function insertOneTimeToken(
  query: Query,
  token: { purpose: TokenPurpose; userId: string; email: string; ttlSeconds: number; now: Date },
): Promise<string> {
  const secret = newSecret();
  const expiresAt = new Date(token.now.getTime() + token.ttlSeconds * 1000);
  await query(INSERT_SQL, [newId(), sha256Hex(secret), token.purpose, token.userId, token.email, token.now, expiresAt]);
  return secret;
}

/**
 * Marks the token used and returns it, or null when it is unknown, of another purpose, expired or
 * already used. The conditional update makes "used" win exactly once, even for two requests at once.
 * Call it inside the transaction that acts on the token, so a failed action leaves the token unused.
 */
export async function consumeOneTimeToken(
  em: EntityManager,
  purpose: TokenPurpose,
  secret: string,
  now: Date,
): Promise<OneTimeToken | null> {
  const token = await em.findOne(OneTimeTokenEntity, { tokenHash: sha256Hex(secret), purpose });
  if (!token || token.usedAt || token.expiresAt <= now) return null;
  const claimed = await em.nativeUpdate(OneTimeTokenEntity, { id: token.id, usedAt: null }, { usedAt: now });
  if (claimed !== 1) return null;
  token.usedAt = now;
  return token;
}
