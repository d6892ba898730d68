// The one password policy of API.md §4, run by the server before hashing and by the SPA before submit.
// It imports @zxcvbn-ts (pure data and code, no I/O): see docs/decisions/0002-password-policy-in-shared.md.
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { indexedZxcvbn, type WordIndex } from './indexed-dictionary-match.ts';
import { PASSWORD_INPUT_MAX_LENGTH, PASSWORD_MAX_LENGTH, PRODUCT_NAME } from './constants.ts';
import { normalizePassword } from './normalize-password.ts';
import { codePointLength } from './text.ts';

export const MIN_PASSWORD_SCORE = 3;

export type PasswordContext = {
  minLength: number;
  /** The account's email: its local part may not appear in the password. */
  email?: string;
};

export type PasswordVerdict = { ok: true; score: number } | { ok: false; score: number; reason: string };

let checker: { factory: ZxcvbnFactory; words: WordIndex } | undefined;

// zxcvbn-ts tries every combination of l33t substitutions and scans every substring: with its
// defaults a 128-character password of digits costs over half a second of CPU, and a typical
// passphrase 25-40 ms, on every sign-up. Four substitutions and the first 64 characters give the
// same verdicts on the policy's tests at a tenth of the cost (docs/decisions/0002).
const STRENGTH_LIMITS = { l33tMaxSubstitutions: 4, maxLength: 64 };

// Built on first use: the dictionaries are large and the SPA loads this module lazily. Its
// dictionary lookups go through one index (same matches, a third of the time, 4 MiB of typed array
// instead of 12.6 MB of heap: decisions 0028 and 0030).
function strengthChecker() {
  checker ??= indexedZxcvbn({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
    ...STRENGTH_LIMITS,
  });
  return checker;
}

// The list's entries are lower case, as zxcvbn-ts's own lookups assume.
const isCommonPassword = (password: string) =>
  strengthChecker().words.rank('passwords-common', password.toLowerCase()) !== undefined;

function contextWords(email: string | undefined): string[] {
  const words = [PRODUCT_NAME.toLowerCase()];
  const localPart = email?.trim().split('@')[0]?.toLowerCase();
  // A one- or two-letter local part would forbid half the alphabet; it guards nothing.
  if (localPart && localPart.length >= 3) words.push(localPart);
  return words;
}

const tooLong = (): PasswordVerdict => ({
  ok: false,
  score: 0,
  reason: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
});

export function checkPassword(rawPassword: string, context: PasswordContext): PasswordVerdict {
  // Refused before any work that grows with the input: a megabyte would take NFKC tens of milliseconds.
  if (rawPassword.length > PASSWORD_INPUT_MAX_LENGTH) return tooLong();
  const password = normalizePassword(rawPassword);
  const length = codePointLength(password);
  if (length < context.minLength) {
    return { ok: false, score: 0, reason: `Use at least ${context.minLength} characters.` };
  }
  if (length > PASSWORD_MAX_LENGTH) return tooLong();
  if (isCommonPassword(password)) {
    return { ok: false, score: 0, reason: 'This is one of the most common passwords.' };
  }
  const words = contextWords(context.email);
  const lower = password.toLowerCase();
  if (words.some((word) => lower.includes(word))) {
    return {
      ok: false,
      score: 0,
      reason: `Leave your email address and the name ${PRODUCT_NAME} out of your password.`,
    };
  }
  const result = strengthChecker().factory.check(password, words);
  if (result.score < MIN_PASSWORD_SCORE) {
    const hint = result.feedback.warning ?? result.feedback.suggestions[0];
    const reason = hint ? `Too easy to guess: ${hint}` : 'Too easy to guess. Add a few uncommon words.';
    return { ok: false, score: result.score, reason };
  }
  return { ok: true, score: result.score };
}

/** Five random words from the diceware list: long, memorable, and strong enough for the policy. */
export function suggestPassphrase(words = 5): string {
  const list = commonDictionary['diceware-common'];
  const picks = new Uint32Array(words);
  crypto.getRandomValues(picks);
  return Array.from(picks, (value) => list[value % list.length]).join(' ');
}
