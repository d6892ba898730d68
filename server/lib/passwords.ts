import os from 'node:os';
import { hash, verify, type Options } from '@node-rs/argon2';
import { normalizePassword } from '#shared/password-policy.ts';

// API.md §4 / OWASP: Argon2id, m=19456 KiB, t=2, p=1.
// Algorithm is an ambient const enum, unusable under isolatedModules: 2 is Argon2id.
const ARGON2_OPTIONS: Options = {
  algorithm: 2 as Options['algorithm'],
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

// Argon2 runs on libuv's thread pool, which SQLite's queries share (four threads by default).
// More hashes at once than cores only slow each other down, and would leave the queries of
// every other request waiting behind them: the rest wait here, in order.
const HASHING_SLOTS = os.availableParallelism();
let hashing = 0;
const waiting: Array<() => void> = [];

async function inHashingSlot<T>(work: () => Promise<T>): Promise<T> {
  if (hashing >= HASHING_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else hashing++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else hashing--;
  }
}

export function hashPassword(password: string): Promise<string> {
  return inHashingSlot(() => hash(normalizePassword(password), ARGON2_OPTIONS));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await inHashingSlot(() => verify(passwordHash, normalizePassword(password), ARGON2_OPTIONS));
  } catch {
    return false;
  }
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
