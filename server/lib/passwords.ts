import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PasswordContext, PasswordVerdict } from '#shared/password-policy.ts';
import type { PasswordAnswer, PasswordJob } from './password-worker.ts';
import { threadPool } from './thread-pool.ts';

// Argon2id and the strength estimate (milliseconds of CPU each) run on threads of their own, up to
// one per core, off libuv's pool: there a hash would hold up SQLite's queries. The built server runs the
// threads' own bundle beside it (vite.config.ts); from source (tests, `npm run dev`) the .ts file
// through tsx.
function startPasswordThread(): Worker {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(path.join(path.dirname(here), 'password-worker.js'));
  const worker = pathToFileURL(path.join(path.dirname(here), 'password-worker.ts')).href;
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};
register();
await import(${JSON.stringify(worker)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`));
}

const threads = threadPool({ size: os.availableParallelism(), start: startPasswordThread });
const onThread = <Job extends PasswordJob>(job: Job, slot?: number) => threads.run<PasswordAnswer<Job>>(job, slot);

export function hashPassword(password: string): Promise<string> {
  return onThread({ kind: 'hash', password });
}

/** False for a wrong password and for a stored hash that is not one. */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return onThread({ kind: 'verify', passwordHash, password });
}

/** shared/password-policy.ts's checkPassword, on the first thread only: it alone loads the dictionaries. */
export function checkPasswordStrength(password: string, context: PasswordContext): Promise<PasswordVerdict> {
  return onThread({ kind: 'strength', password, context }, 0);
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
