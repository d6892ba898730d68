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

const windowStartOf = (rule: RateLimitRule, now: Date) => new Date(now.getTime() - rule.windowSeconds * 1000);

/** Seconds until the count under the key (`count`, when known) drops below the limit again. */
async function retryAfter(
  em: EntityManager,
  rule: RateLimitRule,
  subject: string,
  now: Date,
  count?: number,
): Promise<number> {
  const windowStart = windowStartOf(rule, now);
  const hits = count ?? (await countHits(em, [rule], subject, now))[0]!;
  // The hit whose leaving the window frees a slot: the oldest one, or later ones if over the limit.
  const [row] = await queryPrepared<{ at: unknown }>(
    em,
    'read',
    'select at from rate_limit_hits where key = ? and at > ? order by at asc limit 1 offset ?',
    [key(rule, subject), windowStart, Math.max(0, hits - rule.limit)],
  );
  const freedAt = (row ? dateOf(row.at).getTime() : now.getTime()) + rule.windowSeconds * 1000;
  return Math.max(1, Math.ceil((freedAt - now.getTime()) / 1000));
}

/** The hits under each rule's key within its window, in one statement. */
async function countHits(em: EntityManager, rules: RateLimitRule[], subject: string, now: Date): Promise<number[]> {
  const counts = rules.map((_, i) => `(select count(*) from rate_limit_hits where key = ? and at > ?) as hits${i}`);
  const [row] = await queryPrepared<Record<string, unknown>>(
    em,
    'read',
    `select ${counts.join(', ')}`,
    rules.flatMap((rule) => [key(rule, subject), windowStartOf(rule, now)]),
  );
  return rules.map((_, i) => Number(row?.[`hits${i}`] ?? 0));
}

/**
 * Whether any of the limits on the subject is reached now, counting nothing (for limits on
 * failures, counted after the fact); the verdict of the first one reached.
 */
export async function checkRateLimits(
  em: EntityManager,
  rules: RateLimitRule[],
  subject: string,
  now: Date,
): Promise<RateLimitVerdict> {
  const counts = await countHits(em, rules, subject, now);
  const reached = rules.findIndex((rule, i) => counts[i]! >= rule.limit);
  if (reached < 0) return { allowed: true };
  return { allowed: false, retryAfterSeconds: await retryAfter(em, rules[reached]!, subject, now, counts[reached]) };
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
  const counted = await storeOf(em).consumeHit(em, {
    key: key(rule, subject),
    at: now,
    windowStart: windowStartOf(rule, now),
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
