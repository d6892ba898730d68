import { z } from 'zod';
import { EMAIL_MAX_LENGTH, TOKEN_MAX_LENGTH } from '../constants.ts';
import { codePointLength } from '../text.ts';

/** An ISO-8601 UTC instant as Date.prototype.toISOString writes it. */
export const InstantSchema = z.iso.datetime();

export const IdSchema = z
  .string()
  .min(1, 'Required.')
  .max(64, 'Too long.')
  .regex(/^[A-Za-z0-9_-]+$/, 'Not a valid id.');

export const EmailSchema = z
  .string()
  .trim()
  .min(1, 'Enter your email address.')
  .max(EMAIL_MAX_LENGTH, `Use at most ${EMAIL_MAX_LENGTH} characters.`)
  .pipe(z.email('Enter a valid email address, like name@example.com.'));

export const TokenSchema = z.string().min(1, 'The link is incomplete.').max(TOKEN_MAX_LENGTH, 'The link is not valid.');

/**
 * A string limit counted in code points, as every limit in API.md is: `.refine(maxCodePoints(n), message)`.
 * It returns a boolean: zod's refine treats any truthy value (a message string included) as a pass.
 */
export function maxCodePoints(max: number) {
  return (value: string) => codePointLength(value) <= max;
}

/**
 * Text that can be kept as typed: no NUL (SQLite ends a string there, so the write fails) and no
 * lone surrogate (half of a character, which UTF-8 cannot carry: it would be stored as U+FFFD).
 * For `.refine(isStorableText, STORABLE_TEXT_MESSAGE)` on free text that is stored or searched.
 */
export function isStorableText(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- NUL is what this looks for
  return !/\u0000|\p{Cs}/u.test(value);
}
export const STORABLE_TEXT_MESSAGE = 'Remove the null or broken characters from this text.';

export const OkSchema = z.object({ status: z.literal('ok') });
export type Ok = z.infer<typeof OkSchema>;
export const OK: Ok = { status: 'ok' };
