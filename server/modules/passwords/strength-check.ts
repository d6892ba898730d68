import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PasswordContext, PasswordVerdict } from '#shared/password-policy.ts';
import { threadPool } from '#server/lib/thread-pool.ts';

// zxcvbn-ts's estimate costs milliseconds of CPU per password, and its dictionaries tens of MB:
// on a thread of its own it holds up no other request, and the main thread never loads them.
// The built server runs the thread's own bundle beside it (vite.config.ts); from source (tests,
// `npm run dev`) it loads the .ts file through tsx.
function startStrengthThread(): Worker {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(path.join(path.dirname(here), 'strength-worker.js'));
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs');
  const file = path.join(path.dirname(here), 'strength-worker.ts');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true });
}

const strengthThread = threadPool<{ password: string; context: PasswordContext }, PasswordVerdict>({
  size: 1,
  start: startStrengthThread,
});

/** shared/password-policy.ts's checkPassword, answered by the strength thread. */
export function checkPasswordOffThread(password: string, context: PasswordContext): Promise<PasswordVerdict> {
  return strengthThread.run({ password, context });
}
