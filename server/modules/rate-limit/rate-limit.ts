import type { EntityManager } from '@mikro-orm/core';
import { AppError } from '#server/lib/app-error.ts';
import { dateOf } from '#server/db/columns.ts';
import { queryPrepared } from '#server/db/prepared.ts';
import { storeOf } from '#server/db/stores/store.ts';

export type RateLimitRule = {
  /** Stable name, part of the key: changing it resets the counts. */
  name: string;
  limit: number;
  windowSeconds: number;
};

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const key = (rule: RateLimitRule, subject: string) => `${rule.name}:${subject}`;

/** Seconds until the count under the key drops below the limit again. */
async function retryAfter(em: EntityManager, rule: RateLimitRule, subject: string, now: Date): Promise<number> {
  const windowStart = new Date(now.getTime() - rule.windowSeconds * 1000);
  const count = await countHits(em, rule, subject, now);
  // The hit whose leaving the window frees a slot: the oldest one, or later ones if over the limit.
  const [row] = await queryPrepared<{ at: unknown }>(
    em,
    'read',
    'select at from rate_limit_hits where key = ? and at > ? order by at asc limit 1 offset ?',
    [key(rule, subject), windowStart, Math.max(0, count - rule.limit)],
  );
  const freedAt = (row ? dateOf(row.at).getTime() : now.getTime()) + rule.windowSeconds * 1000;
  return Math.max(1, Math.ceil((freedAt - now.getTime()) / 1000));
}

async function countHits(em: EntityManager, rule: RateLimitRule, subject: string, now: Date): Promise<number> {
  const [row] = await queryPrepared<{ hits: number }>(
    em,
    'read',
    'select count(*) as hits from rate_limit_hits where key = ? and at > ?',
    [key(rule, subject), new Date(now.getTime() - rule.windowSeconds * 1000)],
  );
  return Number(row?.hits ?? 0);
}

/** Whether the limit is reached now, counting nothing (for limits on failures, counted after the fact). */
export async function checkRateLimit(
  em: EntityManager,
  rule: RateLimitRule,
  subject: string,
  now: Date,
): Promise<RateLimitVerdict> {
  if ((await countHits(em, rule, subject, now)) < rule.limit) return { allowed: true };
  return { allowed: false, retryAfterSeconds: await retryAfter(em, rule, subject, now) };
}

/** Counts one event (a failure, say) whatever the count so far. */
export async function recordHit(em: EntityManager, rule: RateLimitRule, subject: string, now: Date): Promise<void> {
  await queryPrepared(em, 'write', 'insert into rate_limit_hits (key, at) values (?, ?)', [key(rule, subject), now]);
}

/**
 * Counts one attempt and says whether it is within the limit. Check and count are one step of the
 * store (server/db/stores/), so concurrent requests, in this process or another on the same
 * database, cannot both take the last slot. The count lives in the database: it survives restarts.
 */
export async function consumeRateLimit(
  em: EntityManager,
  rule: RateLimitRule,
  subject: string,
  now: Date,
): Promise<RateLimitVerdict> {
  const windowStart = new Date(now.getTime() - rule.windowSeconds * 1000);
  const counted = await storeOf(em).consumeHit(em, {
    key: key(rule, subject),
    at: now,
    windowStart,
    limit: rule.limit,
  });
  if (counted) return { allowed: true };
  return { allowed: false, retryAfterSeconds: await retryAfter(em, rule, subject, now) };
}

export function rateLimitedError(
  retryAfterSeconds: number,
  message = 'Too many attempts. Please wait and try again.',
): AppError {
  return new AppError('RATE_LIMITED', message, { retryAfterSeconds });
}

/** Counts one attempt; throws RATE_LIMITED (with retryAfterSeconds) when it is over the limit. */
export async function enforceRateLimit(
  em: EntityManager,
  rule: RateLimitRule,
  subject: string,
  now: Date,
  message?: string,
): Promise<void> {
  const verdict = await consumeRateLimit(em, rule, subject, now);
  if (!verdict.allowed) throw rateLimitedError(verdict.retryAfterSeconds, message);
}

/** Forgets hits older than every window in use, so the table stays small without anyone's cron job. */
export async function pruneRateLimitHits(em: EntityManager, now: Date, longestWindowSeconds: number): Promise<void> {
  await queryPrepared(em, 'write', 'delete from rate_limit_hits where at <= ?', [
    new Date(now.getTime() - longestWindowSeconds * 1000),
  ]);
}
