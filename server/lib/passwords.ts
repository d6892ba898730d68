import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Options } from '@node-rs/argon2';
import { normalizePassword } from '#shared/normalize-password.ts';
import { threadPool } from './thread-pool.ts';

// API.md §4 / OWASP: Argon2id, m=19456 KiB, t=2, p=1.
// Algorithm is an ambient const enum, unusable under isolatedModules: 2 is Argon2id.
const ARGON2_OPTIONS: Options = {
  algorithm: 2 as Options['algorithm'],
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

// Plain CommonJS, evaluated as the thread's script: the built server needs no file of its own for it.
const ARGON2_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(workerData.argon2);
parentPort.on('message', ({ id, password, passwordHash, options }) => {
  let value;
  if (passwordHash === undefined) value = argon2.hashSync(password, options);
  else {
    try {
      value = argon2.verifySync(passwordHash, password, options);
    } catch {
      value = false; // a malformed stored hash matches nothing
    }
  }
  parentPort.postMessage({ id, value });
});
`;

// One thread per core, off libuv's pool: there a hash would hold up SQLite's queries, and a limit
// on hashes at once kept here would start the next one only once the main thread got to it.
const argon2Threads = threadPool<{ password: string; passwordHash?: string; options: Options }, string | boolean>({
  size: os.availableParallelism(),
  start: () =>
    new Worker(ARGON2_THREAD, { eval: true, workerData: { argon2: createRequire(import.meta.url).resolve('@node-rs/argon2') } }),
});

export async function hashPassword(password: string): Promise<string> {
  return (await argon2Threads.run({ password: normalizePassword(password), options: ARGON2_OPTIONS })) as string;
}

/** False for a wrong password and for a stored hash that is not one. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  const job = { passwordHash, password: normalizePassword(password), options: ARGON2_OPTIONS };
  return (await argon2Threads.run(job)) as boolean;
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
