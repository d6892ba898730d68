import { parentPort } from 'node:worker_threads';
import { hashSync, verifySync, type Options } from '@node-rs/argon2';
import { normalizePassword } from '#shared/normalize-password.ts';
import type { PasswordContext, PasswordVerdict } from '#shared/password-policy.ts';

// The password work of server/lib/passwords.ts, on one of its threads.

// API.md §4 / OWASP: Argon2id, m=19456 KiB, t=2, p=1.
// Algorithm is an ambient const enum, unusable under isolatedModules: 2 is Argon2id.
const ARGON2_OPTIONS: Options = {
  algorithm: 2 as Options['algorithm'],
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

export type PasswordJob =
  | { kind: 'hash'; password: string }
  | { kind: 'verify'; passwordHash: string; password: string }
  | { kind: 'strength'; password: string; context: PasswordContext };
export type PasswordAnswer<Job extends PasswordJob> = Job extends { kind: 'hash' }
  ? string
  : Job extends { kind: 'verify' }
    ? boolean
    : PasswordVerdict;

// Loaded by the first strength job: the dictionaries are tens of MB, and only one thread gets those jobs.
let policy: Promise<typeof import('#shared/password-policy.ts')> | undefined;

async function answer(job: PasswordJob): Promise<string | boolean | PasswordVerdict> {
  switch (job.kind) {
    case 'hash':
      return hashSync(normalizePassword(job.password), ARGON2_OPTIONS);
    case 'verify':
      try {
        return verifySync(job.passwordHash, normalizePassword(job.password), ARGON2_OPTIONS);
      } catch {
        return false; // a stored hash that is not one matches nothing
      }
    case 'strength':
      policy ??= import('#shared/password-policy.ts');
      return (await policy).checkPassword(job.password, job.context);
  }
}

parentPort!.on('message', async ({ id, ...job }: { id: number } & PasswordJob) => {
  parentPort!.postMessage({ id, value: await answer(job) });
});
