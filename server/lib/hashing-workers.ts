import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Options } from '@node-rs/argon2';

// Argon2 runs on threads of its own, one per core, instead of libuv's pool: there it would leave
// SQLite's queries waiting behind it, and a limit on hashes at once kept in JavaScript hands a
// freed slot to the next hash only when the (busy) main thread gets to it, idling that core
// meanwhile. Each thread is sent its next job before it finishes the current one.
const THREADS = os.availableParallelism();
const JOBS_PER_THREAD = 2;

// Plain CommonJS, evaluated as the thread's script, so the built server needs no file of its own.
const THREAD_SCRIPT = `
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

type Job = { password: string; passwordHash?: string; options: Options };
type Pending = { resolve(value: string | boolean): void; reject(error: unknown): void };
type Thread = { worker: Worker; pending: Map<number, Pending> };

const threads: Thread[] = [];
const backlog: Array<{ job: Job } & Pending> = [];
let nextId = 0;

function post(thread: Thread, job: Job, pending: Pending): void {
  const id = nextId++;
  thread.pending.set(id, pending);
  // An idle thread must not keep the process alive; a busy one must, or an awaited hash is lost.
  if (thread.pending.size === 1) thread.worker.ref();
  thread.worker.postMessage({ id, ...job });
}

function startThread(): Thread {
  const argon2 = createRequire(import.meta.url).resolve('@node-rs/argon2');
  const worker = new Worker(THREAD_SCRIPT, { eval: true, workerData: { argon2 } });
  const thread: Thread = { worker, pending: new Map() };
  worker.unref();
  worker.on('message', ({ id, value }: { id: number; value: string | boolean }) => {
    const pending = thread.pending.get(id);
    thread.pending.delete(id);
    const next = backlog.shift();
    if (next) post(thread, next.job, next);
    else if (thread.pending.size === 0) worker.unref();
    pending?.resolve(value);
  });
  // A thread that dies fails its jobs (never answers them as a wrong password); the next job starts another.
  const fail = (error: unknown) => {
    threads.splice(threads.indexOf(thread), 1);
    for (const pending of thread.pending.values()) pending.reject(error);
    thread.pending.clear();
  };
  worker.once('error', fail);
  worker.once('exit', (code) => {
    if (threads.includes(thread)) fail(new Error(`the hashing thread exited (code ${code})`));
  });
  threads.push(thread);
  return thread;
}

function leastBusy(): Thread | undefined {
  if (threads.length < THREADS) return startThread();
  let best: Thread | undefined;
  for (const thread of threads) if (!best || thread.pending.size < best.pending.size) best = thread;
  return best && best.pending.size < JOBS_PER_THREAD ? best : undefined;
}

export function onHashingThread(job: Job): Promise<string | boolean> {
  return new Promise((resolve, reject) => {
    const thread = leastBusy();
    if (thread) post(thread, job, { resolve, reject });
    else backlog.push({ job, resolve, reject });
  });
}
