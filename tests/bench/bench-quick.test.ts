import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

// Rows named with the rate they ran at, measured in the same run: the names up to it.
const OPEN_LOOP_SCENARIOS = ['auth.me, 200 members at once, open loop at ', 'auth.login, open loop at '];

const SCENARIOS = [
  'baseline (system.ping)',
  'auth.me, one session',
  'auth.me, 200 sessions',
  'profile.get (5 flyers)',
  'notices.list (org member, 5 notices)',
  'auth.refresh',
  'baseline again',
  'auth.login',
  'auth.register',
  'auth.passkeys.signIn',
  'auth.login, 20 users',
  'auth.me, 20 users',
  'auth.login, 1000 users',
  'auth.me, 1000 users',
  'reference: bare Fastify + tRPC adapter, no-op',
];

/** Runs the bench with these arguments; its exit code and everything it printed. */
async function bench(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

function expectEveryScenarioWithoutErrors({ code, output }: { code: number | null; output: string }): void {
  expect({ code, output }).toMatchObject({ code: 0 });
  for (const scenario of SCENARIOS) expect(output).toContain(`'${scenario}'`);
  for (const scenario of OPEN_LOOP_SCENARIOS) expect(output).toContain(`'${scenario}`);
  expect(output).not.toContain('Scenarios with errors');
}

// The smoke run of the benchmark (docs/benchmarks.md): every scenario against the production
// build (`npm test` builds it first), without errors. No timing is asserted here.
test('npm run bench -- --quick drives every scenario against the production server without an error or a non-2xx answer', async () => {
  expectEveryScenarioWithoutErrors(await bench(['--quick']));
}, 180_000);

// The same on PostgreSQL. The bench starts its own throwaway cluster (as the tests' postgresql
// project does), so this runs in the sqlite project, once: the postgresql project covers tests/api only.
test('npm run bench -- --quick --db=postgres drives every scenario on PostgreSQL without an error or a non-2xx answer', async () => {
  const result = await bench(['--quick', '--db=postgres']);
  expectEveryScenarioWithoutErrors(result);
  expect(result.output).toContain('PostgreSQL target: auth.me');
}, 180_000);
