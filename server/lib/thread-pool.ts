import type { Worker } from 'node:worker_threads';

// Work that would hold the main thread for milliseconds runs on worker threads. Each thread is sent
// its next job before it finishes the current one, so it never waits for the (busy) main thread
// between two jobs; the rest wait here, in order.
const JOBS_PER_THREAD = 2;

type Pending = { resolve(value: unknown): void; reject(error: unknown): void };
type Thread = { worker: Worker; pending: Map<number, Pending> };
type Waiting = { job: object; slot: number | undefined } & Pending;

/**
 * Up to `size` threads made by `start`, each answering `{ id, ...job }` messages with `{ id, value }`,
 * started on first use. A job may name the thread it must run on (`slot`), for work that loads
 * data one thread should hold, not all. A thread that dies fails its jobs; the next job starts another.
 */
export function threadPool(options: { size: number; start(): Worker }) {
  const slots: Array<Thread | undefined> = Array.from({ length: options.size }, () => undefined);
  const backlog: Waiting[] = [];
  let nextId = 0;

  function post(thread: Thread, job: object, pending: Pending): void {
    const id = nextId++;
    thread.pending.set(id, pending);
    // An idle thread must not keep the process alive; a busy one must, or an awaited job is lost.
    if (thread.pending.size === 1) thread.worker.ref();
    thread.worker.postMessage({ id, ...job });
  }

  function start(slot: number): Thread {
    const worker = options.start();
    const thread: Thread = { worker, pending: new Map() };
    slots[slot] = thread;
    worker.on('message', ({ id, value }: { id: number; value: unknown }) => {
      const pending = thread.pending.get(id);
      thread.pending.delete(id);
      const next = backlog.findIndex((waiting) => waiting.slot === undefined || waiting.slot === slot);
      if (next >= 0) {
        const [waiting] = backlog.splice(next, 1);
        post(thread, waiting!.job, waiting!);
      } else if (thread.pending.size === 0) worker.unref();
      pending?.resolve(value);
    });
    const fail = (error: unknown) => {
      if (slots[slot] !== thread) return;
      slots[slot] = undefined;
      for (const pending of thread.pending.values()) pending.reject(error);
      thread.pending.clear();
      // Jobs waiting for a place get one again, on a new thread where needed.
      for (const waiting of backlog.splice(0)) dispatch(waiting);
    };
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`a worker thread exited (code ${code})`)));
    return thread;
  }

  function threadFor(slot: number | undefined): Thread | undefined {
    if (slot !== undefined) {
      const thread = slots[slot] ?? start(slot);
      return thread.pending.size < JOBS_PER_THREAD ? thread : undefined;
    }
    let best: Thread | undefined;
    for (const thread of slots) if (thread && (!best || thread.pending.size < best.pending.size)) best = thread;
    // A new thread only when every one there is has work: a quiet server keeps one or two heaps, not one per core.
    const empty = slots.indexOf(undefined);
    if (empty >= 0 && (!best || best.pending.size > 0)) return start(empty);
    return best && best.pending.size < JOBS_PER_THREAD ? best : undefined;
  }

  function dispatch(waiting: Waiting): void {
    const thread = threadFor(waiting.slot);
    if (thread) post(thread, waiting.job, waiting);
    else backlog.push(waiting);
  }

  return {
    run<Value>(job: object, slot?: number): Promise<Value> {
      return new Promise<Value>((resolve, reject) =>
        dispatch({ job, slot, resolve: resolve as (value: unknown) => void, reject }),
      );
    },
  };
}
