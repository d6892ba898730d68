import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

// The smoke run of the benchmark (docs/benchmarks.md): every scenario against the production
// build (`npm test` builds it first), without errors. No timing is asserted here.
test('npm run bench -- --quick drives every scenario against the production server without an error or a non-2xx answer', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect({ code, output }).toMatchObject({ code: 0 });
  for (const scenario of [
    'baseline (system.ping)',
    'auth.me, one session',
    'auth.me, 200 sessions',
    'profile.get (5 flyers)',
    'auth.refresh',
    'baseline again',
    'auth.login',
    'auth.register',
    'auth.login, 20 users',
    'auth.me, 20 users',
    'auth.login, 1000 users',
    'auth.me, 1000 users',
    'reference: bare Fastify + tRPC adapter, no-op',
  ]) {
    expect(output).toContain(`'${scenario}'`);
  }
  expect(output).not.toContain('Scenarios with errors');
}, 180_000);
