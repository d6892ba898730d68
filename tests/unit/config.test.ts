import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '#server/config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('loadConfig applies the defaults of API.md §10 to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
      allowedOrigins: ['http://localhost:3000'],
      secureCookies: false,
      database: { dialect: 'sqlite', path: path.resolve('data/app.db') },
      dataDir: path.resolve('data'),
      registrationMode: 'open',
      trustProxy: false,
      refreshReuseGraceSeconds: 10,
      passwordMinLength: 15,
      accessTokenAlg: 'ES256',
      logLevel: 'info',
    });
    expect(config.mail.resendApiKey).toBeUndefined();
  });

  test('loadConfig treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', REGISTRATION_MODE: '', PUBLIC_URL: '' })).toMatchObject({
      port: 3000,
      registrationMode: 'open',
      publicUrl: 'http://localhost:3000',
    });
  });

  test('loadConfig reads every setting', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://accounts.example.com/',
      DATABASE_URL: 'sqlite:/var/lib/latchkey/app.db',
      DATA_DIR: '/var/lib/latchkey',
      RESEND_API_KEY: 're_123',
      MAIL_FROM: 'Accounts <accounts@example.com>',
      REGISTRATION_MODE: 'invite_only',
      ALLOWED_ORIGINS: 'https://app.example.com, https://admin.example.com/',
      TRUST_PROXY: 'true',
      REFRESH_REUSE_GRACE_SECONDS: '30',
      PASSWORD_MIN_LENGTH: '12',
      ACCESS_TOKEN_ALG: 'RS256',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      publicUrl: 'https://accounts.example.com',
      allowedOrigins: ['https://accounts.example.com', 'https://app.example.com', 'https://admin.example.com'],
      secureCookies: true,
      database: { dialect: 'sqlite', path: '/var/lib/latchkey/app.db' },
      dataDir: '/var/lib/latchkey',
      mail: { resendApiKey: 're_123', from: 'Accounts <accounts@example.com>' },
      registrationMode: 'invite_only',
      trustProxy: true,
      refreshReuseGraceSeconds: 30,
      passwordMinLength: 12,
      accessTokenAlg: 'RS256',
      logLevel: 'warn',
      nodeEnv: 'production',
    });
  });

  test('loadConfig reports one line per invalid setting, each naming its variable', () => {
    const problems = problemsOf({ PORT: 'abc', REGISTRATION_MODE: 'x' });
    expect(problems).toHaveLength(2);
    expect(problems.find((line) => line.startsWith('PORT='))).toMatch(/whole number/);
    expect(problems.find((line) => line.startsWith('REGISTRATION_MODE='))).toMatch(/open or invite_only/);
    for (const line of problems) expect(line).not.toContain('\n');
  });

  test('loadConfig refuses values out of range or of the wrong form', () => {
    const cases: Record<string, string> = {
      PORT: '70000',
      PUBLIC_URL: 'ftp://example.com',
      DATABASE_URL: 'mysql://localhost/db',
      TRUST_PROXY: 'maybe',
      REFRESH_REUSE_GRACE_SECONDS: '-1',
      PASSWORD_MIN_LENGTH: '7',
      LOG_LEVEL: 'loud',
      NODE_ENV: 'staging',
    };
    const problems = problemsOf(cases);
    expect(problems.map((line) => line.split('=')[0]).sort()).toEqual(Object.keys(cases).sort());
  });

  test('loadConfig accepts PASSWORD_MIN_LENGTH from 8 to 64 only', () => {
    expect(loadConfig({ PASSWORD_MIN_LENGTH: '8' }).passwordMinLength).toBe(8);
    expect(loadConfig({ PASSWORD_MIN_LENGTH: '64' }).passwordMinLength).toBe(64);
    expect(problemsOf({ PASSWORD_MIN_LENGTH: '65' })).toEqual([
      expect.stringMatching(/^PASSWORD_MIN_LENGTH=.*at most 64/),
    ]);
  });

  test('loadConfig refuses an ALLOWED_ORIGINS entry that is not an origin', () => {
    const problems = problemsOf({ ALLOWED_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' });
    expect(problems).toEqual([expect.stringMatching(/^ALLOWED_ORIGINS=.*bad\.example\.com\/path/)]);
  });

  test('loadConfig refuses production without RESEND_API_KEY', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^RESEND_API_KEY/)]);
    expect(loadConfig({ NODE_ENV: 'production', RESEND_API_KEY: 're_123' }).nodeEnv).toBe('production');
    expect(loadConfig({ NODE_ENV: 'development' }).mail.resendApiKey).toBeUndefined();
  });

  test('loadConfig reports every problem at once, cross-setting ones included, one line each in the message', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', NODE_ENV: 'production', ALLOWED_ORIGINS: 'not an origin' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { problems, message } = caught as ConfigError;
    expect(problems.map((line) => line.split(/[= ]/)[0]).sort()).toEqual([
      'ALLOWED_ORIGINS',
      'LOG_LEVEL',
      'PORT',
      'RESEND_API_KEY',
    ]);
    expect(message.split('\n')).toEqual(problems.map((line) => `Invalid configuration: ${line}`));
  });

  test('loadConfig refuses a PUBLIC_URL or RESEND_BASE_URL that is not a URL at all with a problem line, not a TypeError', () => {
    expect(problemsOf({ PUBLIC_URL: 'nope', RESEND_BASE_URL: '::' })).toEqual([
      'PUBLIC_URL="nope": must be an absolute http or https URL',
      'RESEND_BASE_URL="::": must be an absolute http or https URL',
    ]);
  });

  test('loadConfig takes an IP address or a host name as HOST, a name and address as MAIL_FROM, and refuses others', () => {
    for (const host of ['0.0.0.0', '::', '::1', 'localhost', 'app-1.internal.example.com']) {
      expect(loadConfig({ HOST: host }).host).toBe(host);
    }
    for (const from of ['no-reply@example.com', 'Latchkey <no-reply@example.com>', 'Latchkey <no-reply@localhost>']) {
      expect(loadConfig({ MAIL_FROM: from }).mail.from).toBe(from);
    }
    expect(problemsOf({ HOST: 'two words', MAIL_FROM: 'Latchkey' }).map((line) => line.split('=')[0])).toEqual([
      'HOST',
      'MAIL_FROM',
    ]);
  });

  test('loadConfig never repeats the value of RESEND_API_KEY in a problem line', () => {
    expect(problemsOf({ RESEND_API_KEY: 're_abc def' })).toEqual([
      'RESEND_API_KEY=(hidden): must be the key as Resend shows it, without spaces',
    ]);
  });
});

describe('MASTER_KEY', () => {
  test('loadConfig takes a MASTER_KEY of 32 bytes in base64url and never repeats a bad one', () => {
    const key = Buffer.alloc(32, 7).toString('base64url');
    expect(loadConfig({ MASTER_KEY: key }).masterKey).toEqual(Buffer.alloc(32, 7));
    expect(problemsOf({ MASTER_KEY: 'too-short-secret' })).toEqual([
      expect.stringMatching(/^MASTER_KEY=\(hidden\): must be 32 random bytes in base64url/),
    ]);
  });

  test('loadConfig refuses PostgreSQL without MASTER_KEY, and leaves it optional on SQLite', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://latchkey@db.internal:5432/latchkey' })).toEqual([
      'MASTER_KEY is not set: on PostgreSQL every instance needs the same one (API.md §11)',
    ]);
    expect(loadConfig({}).masterKey).toBeUndefined();
  });

  test('loadConfig never repeats the password of a bad DATABASE_URL', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'postgres://latchkey:s3cret@db.internal:5432/' });
    expect(problem).not.toContain('s3cret');
    expect(problem).toContain('latchkey:***@');
  });
});

describe('TRUST_PROXY', () => {
  test('loadConfig takes TRUST_PROXY as false, true, a number of proxy hops, or proxy addresses and CIDR ranges', () => {
    const trustProxy = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
    expect(loadConfig({}).trustProxy).toBe(false);
    for (const value of ['false', 'no', '0']) expect(trustProxy(value)).toBe(false);
    for (const value of ['true', 'yes']) expect(trustProxy(value)).toBe(true);
    expect(trustProxy('1')).toEqual({ hops: 1 });
    expect(trustProxy('2')).toEqual({ hops: 2 });
    expect(trustProxy('100')).toEqual({ hops: 100 });
    expect(trustProxy('10.0.0.1')).toEqual({ proxies: ['10.0.0.1'] });
    expect(trustProxy(' 127.0.0.1, 10.0.0.0/8,192.168.0.0/16 ,::1, fd00::/8,2001:db8::/32')).toEqual({
      proxies: ['127.0.0.1', '10.0.0.0/8', '192.168.0.0/16', '::1', 'fd00::/8', '2001:db8::/32'],
    });
  });

  test('loadConfig refuses a TRUST_PROXY of none of those forms with one line naming the value', () => {
    expect(problemsOf({ TRUST_PROXY: 'maybe' })).toEqual([
      'TRUST_PROXY="maybe": must be true, false, a number of proxy hops, or proxy IP addresses and CIDR ranges separated by commas',
    ]);
    expect(problemsOf({ TRUST_PROXY: '101' })).toEqual(['TRUST_PROXY="101": must be at most 100 proxy hops']);
    expect(problemsOf({ TRUST_PROXY: '10.0.0.1, proxy.internal' })).toEqual([
      'TRUST_PROXY="10.0.0.1, proxy.internal": "proxy.internal" is not an IP address or a CIDR range such as 10.0.0.0/8',
    ]);
    for (const value of [
      'TRUE',
      'on',
      '-1',
      '1.5',
      '10.0.0.300',
      '10.0.0.0/33',
      '10.0.0.0/0',
      '10.0.0.0/8/8',
      '10.0.0.0/255.0.0.0',
      'fd00::/129',
      'fe80::1%eth0',
      '[::1]',
      '10.0.0.1:8080',
      ',',
      'loopback',
    ]) {
      const problems = problemsOf({ TRUST_PROXY: value });
      expect(problems, value).toHaveLength(1);
      expect(problems[0]?.startsWith(`TRUST_PROXY=${JSON.stringify(value)}: `), problems[0]).toBe(true);
    }
  });
});
