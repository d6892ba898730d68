import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { threadPool } from '#server/lib/thread-pool.ts';

// A thread that answers after `ms` of busy work, with its thread id; exits when told to.
const SCRIPT = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', ({ id, n, ms, exit }) => {
  if (exit) process.exit(3);
  const until = Date.now() + (ms ?? 0);
  while (Date.now() < until);
  parentPort.postMessage({ id, value: { thread: threadId, n } });
});`;
const start = () => new Worker(SCRIPT, { eval: true });
type Answer = { thread: number; n: number };

describe('threadPool', () => {
  test('answers every job once, and two threads share a queue of ten', async () => {
    const pool = threadPool({ size: 2, start });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => pool.run<Answer>({ n, ms: 20 })));
    expect(answers.map((answer) => answer.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(answers.map((answer) => answer.thread)).size).toBe(2);
  });

  test('jobs one after another stay on one thread: another starts only while every thread has work', async () => {
    const pool = threadPool({ size: 4, start });
    const threads = new Set<number>();
    for (let n = 0; n < 5; n++) threads.add((await pool.run<Answer>({ n })).thread);
    expect(threads.size).toBe(1);
  });

  test('a job that names a slot runs on that thread only, also when others are free', async () => {
    const pool = threadPool({ size: 2, start });
    const first = await pool.run<Answer>({ n: -1 }, 0);
    const jobs = Array.from({ length: 8 }, (_, n) => pool.run<Answer>({ n, ms: 10 }, n % 2 === 0 ? 0 : undefined));
    const answers = await Promise.all(jobs);
    for (const answer of answers.filter((_, n) => n % 2 === 0)) expect(answer.thread).toBe(first.thread);
    expect(answers.some((answer) => answer.thread !== first.thread)).toBe(true);
  });

  test('a thread that dies fails the jobs it held, and the jobs waiting behind them run on a new thread', async () => {
    const pool = threadPool({ size: 1, start });
    const before = await pool.run<Answer>({ n: 0 });
    const dying = pool.run<Answer>({ exit: true });
    const sent = pool.run<Answer>({ n: 1 }); // sent to the same thread (two jobs per thread)
    const waiting = pool.run<Answer>({ n: 2 }); // waits here for a place
    await expect(dying).rejects.toThrow(/exited \(code 3\)/);
    await expect(sent).rejects.toThrow(/exited \(code 3\)/);
    const after = await waiting;
    expect(after.n).toBe(2);
    expect(after.thread).not.toBe(before.thread);
    expect((await pool.run<Answer>({ n: 3 })).thread).toBe(after.thread);
  });

  test('a busy thread keeps the process alive until it answers; an idle one does not keep it at all', () => {
    // A process with nothing else to do: it must print the answer of a 300 ms job, then exit by itself.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-pool-'));
    const file = path.join(dir, 'child.mjs');
    const pool = pathToFileURL(path.resolve('server/lib/thread-pool.ts')).href;
    fs.writeFileSync(
      file,
      `import { Worker } from 'node:worker_threads';
      import { threadPool } from ${JSON.stringify(pool)};
      const pool = threadPool({ size: 1, start: () => new Worker(${JSON.stringify(SCRIPT)}, { eval: true }) });
      pool.run({ n: 7, ms: 300 }).then((answer) => console.log('answer', answer.n));`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 20_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('answer 7');
    expect(child.status).toBe(0);
  });
});
