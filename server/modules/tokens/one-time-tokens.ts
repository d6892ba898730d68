import type { EntityManager } from '@mikro-orm/core';
import type { Query } from '#server/db/prepared.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { newId, newSecret } from '#server/lib/ids.ts';
import { OneTimeTokenEntity, type OneTimeToken, type TokenPurpose } from './one-time-token.entity.ts';

type NewToken = { purpose: TokenPurpose; email: string; ttlSeconds: number; now: Date };

/** A fresh secret for the link (never stored) and what is stored of it. */
function freshToken(token: NewToken) {
  const secret = newSecret();
  return { secret, tokenHash: sha256Hex(secret), expiresAt: new Date(token.now.getTime() + token.ttlSeconds * 1000) };
}

/** Adds a token to the unit of work and returns the secret for the link. */
export function createOneTimeToken(em: EntityManager, token: NewToken & { user: User | null }): string {
  const { secret, tokenHash, expiresAt } = freshToken(token);
  em.create(OneTimeTokenEntity, {
    tokenHash,
    purpose: token.purpose,
    user: token.user,
    email: token.email,
    createdAt: token.now,
    expiresAt,
  });
  return secret;
}

const INSERT_SQL = `insert into one_time_tokens (id, token_hash, purpose, user_id, email, created_at, expires_at)
  values (?, ?, ?, ?, ?, ?, ?)`;

/** The same token as a statement of server/db/prepared.ts, for a write made without the unit of work. */
export async function insertOneTimeToken(query: Query, token: NewToken & { userId: string }): Promise<string> {
  const { secret, tokenHash, expiresAt } = freshToken(token);
  await query(INSERT_SQL, [newId(), tokenHash, token.purpose, token.userId, token.email, token.now, expiresAt]);
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
