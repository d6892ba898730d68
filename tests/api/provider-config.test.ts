import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '#server/config.ts';
import { linesOf, type CommandResult } from '#tests/helpers/admin-command.ts';
import { appleSigningKey } from '#tests/helpers/apple-client-secret.ts';
import { startTestServer } from '#tests/helpers/test-server.ts';

// API.md §12 and §10: providers come from the environment and are off unless configured; a
// half-configured provider, a provider URL that is not https (loopback aside) or a bad OIDC_PROVIDERS
// entry stops start-up with one clear line each, and no line shows a client secret or the Apple key.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const SECRET = 'client-secret-that-must-never-be-printed-9d2f';
const apple = appleSigningKey();
const APPLE_KEY_BODY = apple.privateKeyPem.split('\n')[1]!; // a line of the key's base64, to look for in output

const pem = (key: { export(options: { format: 'pem'; type: 'pkcs8' }): string | Buffer }) =>
  key.export({ format: 'pem', type: 'pkcs8' }).toString();

const APPLE_ENV = {
  APPLE_CLIENT_ID: 'com.example.latchkey',
  APPLE_TEAM_ID: 'TEAM123456',
  APPLE_KEY_ID: 'KEY7654321',
  APPLE_PRIVATE_KEY: apple.privateKeyPem,
};

const entry = (fields: Record<string, unknown> = {}) => ({
  id: 'acme',
  name: 'Acme ID',
  issuer: 'https://id.acme.example',
  clientId: 'latchkey',
  clientSecret: SECRET,
  ...fields,
});

/** The problem lines loadConfig reports for this environment (it must refuse it). */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(Object.keys(env))}`);
}

/** Nothing secret in any line: the client secrets given and the Apple key. */
function expectNoSecret(lines: string[], secrets: string[] = [SECRET, APPLE_KEY_BODY]) {
  for (const line of lines) {
    for (const secret of secrets) expect(line).not.toContain(secret);
    expect(line).not.toContain('PRIVATE KEY');
  }
}

describe('presets', () => {
  test('loadConfig enables fully configured presets and OIDC_PROVIDERS entries in the order the SPA shows them', () => {
    const config = loadConfig({
      GOOGLE_CLIENT_ID: 'g',
      GOOGLE_CLIENT_SECRET: SECRET,
      MICROSOFT_CLIENT_ID: 'm',
      MICROSOFT_CLIENT_SECRET: SECRET,
      ...APPLE_ENV,
      // As pasted into one line of an .env file: the line breaks written as \n.
      APPLE_PRIVATE_KEY: apple.privateKeyPem.replace(/\n/g, '\\n'),
      GITHUB_CLIENT_ID: 'gh',
      GITHUB_CLIENT_SECRET: SECRET,
      OIDC_PROVIDERS: JSON.stringify([entry(), entry({ id: 'beta', name: 'Beta ID' })]),
    });
    expect(config.providers.map(({ id, kind }) => [id, kind])).toEqual([
      ['google', 'oidc'],
      ['microsoft', 'oidc'],
      ['apple', 'oidc'],
      ['github', 'oauth'],
      ['acme', 'oidc'],
      ['beta', 'oidc'],
    ]);
  });

  test('loadConfig enables no provider when none is configured', () => {
    expect(loadConfig({}).providers).toEqual([]);
  });

  const HALF: Array<[label: string, env: Record<string, string>, line: string]> = [
    [
      'Google without its secret',
      { GOOGLE_CLIENT_ID: 'g' },
      'GOOGLE_CLIENT_SECRET is not set: Google sign-in needs GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET',
    ],
    [
      'Google without its client id',
      { GOOGLE_CLIENT_SECRET: SECRET },
      'GOOGLE_CLIENT_ID is not set: Google sign-in needs GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET',
    ],
    [
      'Microsoft without its secret',
      { MICROSOFT_CLIENT_ID: 'm', MICROSOFT_TENANT: 'contoso.onmicrosoft.com' },
      'MICROSOFT_CLIENT_SECRET is not set: Microsoft sign-in needs MICROSOFT_CLIENT_ID, MICROSOFT_CLIENT_SECRET',
    ],
    [
      'Apple with only its client and team',
      { APPLE_CLIENT_ID: APPLE_ENV.APPLE_CLIENT_ID, APPLE_TEAM_ID: APPLE_ENV.APPLE_TEAM_ID },
      'APPLE_KEY_ID, APPLE_PRIVATE_KEY are not set: Apple sign-in needs APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID, APPLE_PRIVATE_KEY',
    ],
    [
      'Apple with only its key',
      { APPLE_PRIVATE_KEY: apple.privateKeyPem },
      'APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID are not set: Apple sign-in needs APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID, APPLE_PRIVATE_KEY',
    ],
    [
      'GitHub without its client id',
      { GITHUB_CLIENT_SECRET: SECRET },
      'GITHUB_CLIENT_ID is not set: GitHub sign-in needs GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET',
    ],
  ];

  test.each(HALF)('loadConfig refuses %s with one line naming what is missing, and no secret', (_label, env, line) => {
    const problems = problemsOf(env);
    expect(problems).toEqual([line]);
    expectNoSecret(problems);
  });

  test('loadConfig reports every half-configured provider at once, one line each', () => {
    const problems = problemsOf({ GOOGLE_CLIENT_ID: 'g', MICROSOFT_CLIENT_SECRET: SECRET, GITHUB_CLIENT_ID: 'gh' });
    expect(problems).toEqual([
      expect.stringMatching(/^GOOGLE_CLIENT_SECRET is not set/),
      expect.stringMatching(/^MICROSOFT_CLIENT_ID is not set/),
      expect.stringMatching(/^GITHUB_CLIENT_SECRET is not set/),
    ]);
    expectNoSecret(problems);
  });

  const NOT_P256: Array<[label: string, key: () => string]> = [
    ['an RSA key', () => pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)],
    ['a P-384 key', () => pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)],
    ['an Ed25519 key', () => pem(generateKeyPairSync('ed25519').privateKey)],
    ['the public half of a P-256 key', () => apple.publicKey.export({ format: 'pem', type: 'spki' }).toString()],
    ['no PEM at all', () => `not-a-key-${APPLE_KEY_BODY}`],
  ];

  test.each(NOT_P256)(
    'loadConfig refuses an APPLE_PRIVATE_KEY that is %s, with one line that shows no key',
    (_label, key) => {
      const text = key();
      const problems = problemsOf({ ...APPLE_ENV, APPLE_PRIVATE_KEY: text });
      expect(problems).toEqual([expect.stringMatching(/^APPLE_PRIVATE_KEY: must be the P-256 private key/)]);
      const keyLine = text.split('\n').find((line) => line.length > 20 && !line.startsWith('-----'));
      expectNoSecret(problems, [SECRET, APPLE_KEY_BODY, ...(keyLine ? [keyLine] : [])]);
    },
  );
});

describe('provider URLs', () => {
  const URL_SETTINGS: Array<[name: string, env: Record<string, string>]> = [
    ['GOOGLE_ISSUER', { GOOGLE_CLIENT_ID: 'g', GOOGLE_CLIENT_SECRET: SECRET }],
    ['MICROSOFT_ISSUER', { MICROSOFT_CLIENT_ID: 'm', MICROSOFT_CLIENT_SECRET: SECRET }],
    ['APPLE_ISSUER', APPLE_ENV],
    ['GITHUB_BASE_URL', { GITHUB_CLIENT_ID: 'gh', GITHUB_CLIENT_SECRET: SECRET }],
    ['GITHUB_API_URL', { GITHUB_CLIENT_ID: 'gh', GITHUB_CLIENT_SECRET: SECRET }],
  ];
  const REFUSED = [
    'http://accounts.example.com',
    'http://127.0.0.1.example.com',
    'http://localhost.example.com',
    'http://10.0.0.5:8080',
    'ftp://127.0.0.1',
    'not a url',
  ];
  const ALLOWED = [
    'https://accounts.example.com',
    'http://127.0.0.1:8080',
    'http://127.9.8.7',
    'http://localhost:8080',
    'http://[::1]:8080',
  ];

  test.each(URL_SETTINGS)('loadConfig refuses a %s that is not https, except on a loopback address', (name, env) => {
    for (const value of REFUSED) {
      const problems = problemsOf({ ...env, [name]: value });
      expect(problems).toEqual([
        `${name}=${JSON.stringify(value)}: must be an https URL (http only on a loopback address)`,
      ]);
      expectNoSecret(problems);
    }
    for (const value of ALLOWED) expect(loadConfig({ ...env, [name]: value }).providers).toHaveLength(1);
  });

  test('loadConfig refuses an OIDC_PROVIDERS issuer that is not https, except on a loopback address', () => {
    for (const issuer of REFUSED) {
      const problems = problemsOf({ OIDC_PROVIDERS: JSON.stringify([entry({ issuer })]) });
      expect(problems).toEqual(['OIDC_PROVIDERS[0]: issuer must be an https URL (http only on a loopback address)']);
      expectNoSecret(problems);
    }
    for (const issuer of ALLOWED) {
      expect(loadConfig({ OIDC_PROVIDERS: JSON.stringify([entry({ issuer })]) }).providers).toHaveLength(1);
    }
  });
});

describe('OIDC_PROVIDERS', () => {
  const ARRAY_LINE =
    'OIDC_PROVIDERS: must be a JSON array of {id, name, issuer, clientId, clientSecret, scopes?, trustEmail?}';

  test('loadConfig refuses an OIDC_PROVIDERS that is not JSON with one line that does not echo it', () => {
    const problems = problemsOf({ OIDC_PROVIDERS: `[{"id":"acme","clientSecret":"${SECRET}"` });
    expect(problems).toEqual([ARRAY_LINE]);
    expectNoSecret(problems);
  });

  test('loadConfig refuses an OIDC_PROVIDERS that is JSON but not an array with one line', () => {
    const problems = problemsOf({ OIDC_PROVIDERS: JSON.stringify(entry()) });
    expect(problems).toEqual([ARRAY_LINE]);
    expectNoSecret(problems);
  });

  test.each(['clientSecret', 'clientId', 'issuer', 'name', 'id'])(
    'loadConfig refuses an OIDC_PROVIDERS entry without %s with one line that names it and shows no secret',
    (field) => {
      const incomplete: Record<string, unknown> = entry();
      delete incomplete[field];
      const problems = problemsOf({ OIDC_PROVIDERS: JSON.stringify([incomplete]) });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^OIDC_PROVIDERS\[0\]: /);
      expect(problems[0]).toMatch(new RegExp(`\\b${field}\\b`));
      expectNoSecret(problems);
    },
  );

  test.each(['google', 'microsoft', 'apple', 'github'])(
    'loadConfig refuses an OIDC_PROVIDERS entry whose id is the preset id %s, configured or not',
    (id) => {
      const problems = problemsOf({ OIDC_PROVIDERS: JSON.stringify([entry({ id })]) });
      expect(problems).toEqual([`OIDC_PROVIDERS[0]: the id "${id}" is taken by another provider`]);
      expectNoSecret(problems);
    },
  );

  test('loadConfig refuses two OIDC_PROVIDERS entries with the same id, naming the second', () => {
    const problems = problemsOf({
      OIDC_PROVIDERS: JSON.stringify([entry(), entry({ name: 'Acme again', clientSecret: `${SECRET}-2` })]),
    });
    expect(problems).toEqual(['OIDC_PROVIDERS[1]: the id "acme" is taken by another provider']);
    expectNoSecret(problems);
  });

  test('loadConfig refuses an OIDC_PROVIDERS entry whose id cannot be part of a callback path', () => {
    for (const id of ['Acme', 'acme/evil', '../acme', '', 'a'.repeat(33)]) {
      const problems = problemsOf({ OIDC_PROVIDERS: JSON.stringify([entry({ id })]) });
      expect(problems).toEqual(['OIDC_PROVIDERS[0]: id must be 1 to 32 lower-case letters, digits or dashes']);
    }
  });

  test('loadConfig reports a bad entry among good ones, with its index, and nothing about the good ones', () => {
    const problems = problemsOf({
      GOOGLE_CLIENT_ID: 'g',
      GOOGLE_CLIENT_SECRET: SECRET,
      OIDC_PROVIDERS: JSON.stringify([entry(), entry({ id: 'beta', issuer: 'http://id.beta.example' })]),
    });
    expect(problems).toEqual(['OIDC_PROVIDERS[1]: issuer must be an https URL (http only on a loopback address)']);
    expectNoSecret(problems);
  });
});

describe('the server process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-provider-config-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** `node --import tsx server/index.ts` with only this environment (and PATH, HOME); it must stop by itself. */
  function startServer(env: Record<string, string>): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          DATA_DIR: path.join(dir, 'data'),
          DATABASE_URL: `sqlite:${path.join(dir, 'data', 'app.db')}`,
          LOG_LEVEL: 'silent',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the server did not stop.\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, 40_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  test('the server stops with exit code 1 and one line per provider problem, no secret and no stack trace', async () => {
    const result = await startServer({
      GOOGLE_CLIENT_SECRET: SECRET,
      ...APPLE_ENV,
      APPLE_PRIVATE_KEY: pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey),
      GITHUB_CLIENT_ID: 'gh',
      GITHUB_CLIENT_SECRET: SECRET,
      GITHUB_BASE_URL: 'http://github.example.com',
      OIDC_PROVIDERS: `[{"id":"acme","clientSecret":"${SECRET}"`,
    });
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    const printed = linesOf(result.stderr);
    expect(printed, result.stderr).toEqual([
      'Invalid configuration: GOOGLE_CLIENT_ID is not set: Google sign-in needs GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET',
      'Invalid configuration: APPLE_PRIVATE_KEY: must be the P-256 private key (.p8 file, PEM) Apple gave for Sign in with Apple',
      'Invalid configuration: GITHUB_BASE_URL="http://github.example.com": must be an https URL (http only on a loopback address)',
      'Invalid configuration: OIDC_PROVIDERS: must be a JSON array of {id, name, issuer, clientId, clientSecret, scopes?, trustEmail?}',
    ]);
    expect(result.stderr).not.toContain(SECRET);
    expect(result.stderr).not.toMatch(/PRIVATE KEY|\bat .+:\d+:\d+|Error:|node:internal/);
  }, 60_000);
});

describe('a server without providers', () => {
  test('auth.providers answers an empty list when no provider is configured, and /auth/oauth/google/start goes back to /login', async () => {
    const server = await startTestServer();
    try {
      expect(await server.client().trpc.auth.providers.query()).toEqual([]);
      const response = await server.fetch('/auth/oauth/google/start?intent=signin&returnTo=/', { redirect: 'manual' });
      expect({ status: response.status, location: response.headers.get('location') }).toEqual({
        status: 302,
        location: '/login?error=provider_error',
      });
    } finally {
      await server.close();
    }
  });
});
