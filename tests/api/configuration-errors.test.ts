import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { linesOf, runAdminCommand, type CommandResult } from '#tests/helpers/admin-command.ts';

// API.md §10: invalid configuration stops start-up with one clear line per problem, exit code 1 and
// nothing else on stderr; for the built server as `npm start` runs it, and for `npm run admin`.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT_SERVER = path.join(ROOT, 'dist/server/index.js');

let dir: string;
let notADirectory: string;

beforeAll(async () => {
  await fs.access(BUILT_SERVER).catch(() => {
    throw new Error(`${BUILT_SERVER} is missing: npm test builds it first (npm run build).`);
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-config-'));
  notADirectory = path.join(dir, 'a-file');
  await fs.writeFile(notADirectory, 'not a directory');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs the built server with only this environment (and PATH); it must stop by itself. */
function startBuiltServer(env: Record<string, string>): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_SERVER], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', DATA_DIR: path.join(dir, 'data'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server started with ${JSON.stringify(env)} did not stop.\nstderr: ${stderr}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// One bad value for every variable of the README's table, and the start of the line it must give.
const BAD: Array<[name: string, value: () => string, line: RegExp]> = [
  ['PORT', () => 'abc', /^Invalid configuration: PORT="abc": must be a whole number from 0 to 65535$/],
  ['HOST', () => 'not a host!', /^Invalid configuration: HOST="not a host!": must be an IP address or a host name$/],
  ['PUBLIC_URL', () => 'nope', /^Invalid configuration: PUBLIC_URL="nope": must be an absolute http or https URL$/],
  ['DATABASE_URL', () => 'mysql://localhost/db', /^Invalid configuration: DATABASE_URL="mysql:\/\/localhost\/db": /],
  ['DATA_DIR', () => notADirectory, /^Latchkey could not start: ENOTDIR: not a directory, mkdir '.*a-file.*'$/],
  ['MASTER_KEY', () => 'not-32-bytes', /^Invalid configuration: MASTER_KEY=\(hidden\): must be 32 random bytes/],
  ['RESEND_API_KEY', () => 're_secret with spaces', /^Invalid configuration: RESEND_API_KEY=\(hidden\): /],
  ['RESEND_BASE_URL', () => 'nope', /^Invalid configuration: RESEND_BASE_URL="nope": /],
  ['MAIL_FROM', () => 'nobody', /^Invalid configuration: MAIL_FROM="nobody": must be an address/],
  [
    'REGISTRATION_MODE',
    () => 'closed',
    /^Invalid configuration: REGISTRATION_MODE="closed": must be open or invite_only$/,
  ],
  ['ALLOWED_ORIGINS', () => 'not an origin', /^Invalid configuration: ALLOWED_ORIGINS="not an origin": /],
  [
    'TRUST_PROXY',
    () => 'maybe',
    /^Invalid configuration: TRUST_PROXY="maybe": must be true, false, a number of proxy hops, or proxy IP addresses/,
  ],
  ['REFRESH_REUSE_GRACE_SECONDS', () => '-1', /^Invalid configuration: REFRESH_REUSE_GRACE_SECONDS="-1": /],
  ['PASSWORD_MIN_LENGTH', () => '7', /^Invalid configuration: PASSWORD_MIN_LENGTH="7": must be at least 8$/],
  ['ACCESS_TOKEN_ALG', () => 'HS256', /^Invalid configuration: ACCESS_TOKEN_ALG="HS256": must be ES256 or RS256 /],
  ['LOG_LEVEL', () => 'loud', /^Invalid configuration: LOG_LEVEL="loud": must be one of /],
  ['NODE_ENV', () => 'staging', /^Invalid configuration: NODE_ENV="staging": /],
];

function expectLines(result: CommandResult, lines: RegExp[]) {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
  const printed = linesOf(result.stderr);
  expect(printed, result.stderr).toHaveLength(lines.length);
  lines.forEach((line, index) => expect(printed[index]).toMatch(line));
  expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+|Error:|node:internal/);
}

describe('the built server', () => {
  test.each(BAD)('stops with one line, exit code 1 and nothing else when %s is invalid', async (name, value, line) => {
    const result = await startBuiltServer({ [name]: value() });
    expectLines(result, [line]);
    expect(result.stderr).not.toContain('re_secret');
  });

  test('the built server reports several invalid settings at once, one line each, production without a mail key included', async () => {
    const result = await startBuiltServer({
      PORT: 'abc',
      PUBLIC_URL: 'nope',
      LOG_LEVEL: 'loud',
      NODE_ENV: 'production',
    });
    expectLines(result, [
      /^Invalid configuration: PORT="abc"/,
      /^Invalid configuration: PUBLIC_URL="nope"/,
      /^Invalid configuration: LOG_LEVEL="loud"/,
      /^Invalid configuration: RESEND_API_KEY is not set: in production mail must go through Resend$/,
    ]);
  });

  test('the built server stops with one line when its port is taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await startBuiltServer({ PORT: String(port), LOG_LEVEL: 'silent' });
      expectLines(result, [/^Latchkey could not start: .*EADDRINUSE.*$/]);
    } finally {
      blocker.close();
    }
  });
});

describe('an install whose database file is gone', () => {
  test('the built server and npm run admin refuse with one line, exit code 1, and create no database', async () => {
    const install = path.join(dir, 'install');
    await fs.mkdir(path.join(install, 'keys'), { recursive: true });
    await fs.writeFile(path.join(install, 'keys', 'device-cookie.key'), 'a key of this install');
    const env = { DATA_DIR: install, DATABASE_URL: `sqlite:${path.join(install, 'app.db')}`, LOG_LEVEL: 'silent' };
    const line =
      /^The database .*app\.db is missing, but .*keys holds the keys of an install that has started before: restore the file or point DATABASE_URL at it/;
    expectLines(await startBuiltServer(env), [line]);
    expectLines(await runAdminCommand(['promote', 'someone@example.com'], { env }), [line]);
    await expect(fs.access(path.join(install, 'app.db'))).rejects.toThrow();
  });
});

describe('npm run admin', () => {
  const admin = (env: Record<string, string>) =>
    runAdminCommand(['promote', 'someone@example.com'], {
      env: { DATA_DIR: path.join(dir, 'data'), ...env },
      timeoutMs: 60_000,
    });

  test('npm run admin stops with the same one line per invalid setting as the server, and exit code 1', async () => {
    const configOnly = BAD.filter(([name]) => name !== 'DATA_DIR');
    // Four at a time: each starts the TypeScript loader, slow on a busy 2-core machine.
    const results: CommandResult[] = [];
    for (let start = 0; start < configOnly.length; start += 4) {
      const batch = configOnly.slice(start, start + 4);
      results.push(...(await Promise.all(batch.map(([name, value]) => admin({ [name]: value() })))));
    }
    configOnly.forEach(([, , line], index) => expectLines(results[index]!, [line]));
    const several = await admin({ PORT: 'abc', TRUST_PROXY: 'maybe' });
    expectLines(several, [/^Invalid configuration: PORT="abc"/, /^Invalid configuration: TRUST_PROXY="maybe"/]);
  }, 180_000);
});
