import type { Worker } from 'node:worker_threads';

// Work that would hold the main thread for milliseconds (Argon2id, the strength estimate) runs on
// worker threads. Each thread is sent its next job before it finishes the current one, so it never
// waits for the (busy) main thread between two jobs; the rest wait here, in order.
const JOBS_PER_THREAD = 2;

type Pending = { resolve(value: unknown): void; reject(error: unknown): void };
type Thread = { worker: Worker; pending: Map<number, Pending> };

/**
 * Up to `size` threads made by `start`, each answering `{ id, ...job }` messages with
 * `{ id, value }`; started on first use. A thread that dies fails its jobs and is replaced by the next one.
 */
export function threadPool<Job extends object, Value>(options: { size: number; start(): Worker }) {
  const threads: Thread[] = [];
  const backlog: Array<{ job: Job } & Pending> = [];
  let nextId = 0;

  function post(thread: Thread, job: Job, pending: Pending): void {
    const id = nextId++;
    thread.pending.set(id, pending);
    // An idle thread must not keep the process alive; a busy one must, or an awaited job is lost.
    if (thread.pending.size === 1) thread.worker.ref();
    thread.worker.postMessage({ id, ...job });
  }

  function startThread(): Thread {
    const worker = options.start();
    const thread: Thread = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', ({ id, value }: { id: number; value: unknown }) => {
      const pending = thread.pending.get(id);
      thread.pending.delete(id);
      const next = backlog.shift();
      if (next) post(thread, next.job, next);
      else if (thread.pending.size === 0) worker.unref();
      pending?.resolve(value);
    });
    const fail = (error: unknown) => {
      if (!threads.includes(thread)) return;
      threads.splice(threads.indexOf(thread), 1);
      for (const pending of thread.pending.values()) pending.reject(error);
      thread.pending.clear();
      // Jobs that were waiting get a thread of their own again.
      for (const waiting of backlog.splice(0)) run(waiting.job).then(waiting.resolve, waiting.reject);
    };
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`a worker thread exited (code ${code})`)));
    threads.push(thread);
    return thread;
  }

  function available(): Thread | undefined {
    if (threads.length < options.size) return startThread();
    let best: Thread | undefined;
    for (const thread of threads) if (!best || thread.pending.size < best.pending.size) best = thread;
    return best && best.pending.size < JOBS_PER_THREAD ? best : undefined;
  }

  function run(job: Job): Promise<Value> {
    return new Promise<Value>((resolve, reject) => {
      const thread = available();
      const pending = { resolve: resolve as (value: unknown) => void, reject };
      if (thread) post(thread, job, pending);
      else backlog.push({ job, ...pending });
    });
  }

  return { run };
}
