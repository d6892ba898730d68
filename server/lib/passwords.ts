import type { Options } from '@node-rs/argon2';
import { normalizePassword } from '#shared/password-policy.ts';
import { onHashingThread } from './hashing-workers.ts';

// API.md §4 / OWASP: Argon2id, m=19456 KiB, t=2, p=1.
// Algorithm is an ambient const enum, unusable under isolatedModules: 2 is Argon2id.
const ARGON2_OPTIONS: Options = {
  algorithm: 2 as Options['algorithm'],
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

export async function hashPassword(password: string): Promise<string> {
  return (await onHashingThread({ password: normalizePassword(password), options: ARGON2_OPTIONS })) as string;
}

/** False for a wrong password and for a stored hash that is not one. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  const job = { passwordHash, password: normalizePassword(password), options: ARGON2_OPTIONS };
  return (await onHashingThread(job)) as boolean;
}

let dummyHash: Promise<string> | undefined;

/** Computed at start, so even the first unknown-email login costs exactly one verification. */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('latchkey-timing-equaliser-not-a-password');
  return dummyHash;
}

/** Spends the time of a real verification, so an unknown email answers as slowly as a wrong password. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await prepareDummyHash(), password);
  return false;
}
