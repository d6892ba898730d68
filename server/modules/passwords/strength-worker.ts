import { parentPort } from 'node:worker_threads';
import { checkPassword, type PasswordContext } from '#shared/password-policy.ts';

// The strength estimate of API.md §4 on a thread of its own (strength-check.ts says why).
parentPort!.on('message', ({ id, password, context }: { id: number; password: string; context: PasswordContext }) => {
  parentPort!.postMessage({ id, value: checkPassword(password, context) });
});
