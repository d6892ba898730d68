import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '#server/config.ts';
import {
  rawTrpc,
  signUpAndVerify,
  startTestServer,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §11: TRUST_PROXY says how much of X-Forwarded-For to believe. The test servers listen on
// 127.0.0.1, so the socket's address is always 127.0.0.1; what the server takes as the client IP is
// read back from the session a sign-in makes (auth.sessions.list) and its security event.

const SOCKET = '127.0.0.1';
/** 65 characters: longer than the ip column, and no address. */
const TOO_LONG = 'x'.repeat(65);

type Setup = { server: TestServer; member: SignedUp };

/** A server started with this TRUST_PROXY for the tests of one describe, and a member signed up on it. */
function serverWithTrustProxy(trustProxy: string): Setup {
  const setup = {} as Setup;
  beforeAll(async () => {
    setup.server = await startTestServer({ TRUST_PROXY: trustProxy });
    setup.member = await signUpAndVerify(setup.server, {}, { ip: null });
  });
  afterAll(async () => {
    await setup.server?.close();
  });
  return setup;
}

/** Signs the member in sending this X-Forwarded-For (none when undefined); the IP its new session records. */
async function recordedIp({ server, member }: Setup, forwardedFor?: string): Promise<string> {
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor };
  const login = await rawTrpc(server, {
    path: 'auth.login',
    input: { email: member.email, password: member.password },
    headers,
  });
  expect(login.status, login.text).toBe(200);
  const authorization = { Authorization: `Bearer ${login.json.result.data.session.accessToken}` };
  const sessions = await rawTrpc(server, { path: 'auth.sessions.list', method: 'GET', headers: authorization });
  expect(sessions.status, sessions.text).toBe(200);
  const current = (sessions.json.result.data as { ip: string; current: boolean }[]).find((item) => item.current);
  return current!.ip;
}

describe('TRUST_PROXY=false', () => {
  const setup = serverWithTrustProxy('false');

  test('TRUST_PROXY=false records the socket’s address and ignores X-Forwarded-For', async () => {
    expect(await recordedIp(setup, '203.0.113.7')).toBe(SOCKET);
    expect(await recordedIp(setup, '203.0.113.7, 198.51.100.2')).toBe(SOCKET);
    expect(await recordedIp(setup)).toBe(SOCKET);
  });
});

describe('TRUST_PROXY=true', () => {
  const setup = serverWithTrustProxy('true');

  test('TRUST_PROXY=true records the leftmost address of X-Forwarded-For, and the socket’s without one', async () => {
    expect(await recordedIp(setup, '203.0.113.7, 198.51.100.2, 10.0.0.3')).toBe('203.0.113.7');
    expect(await recordedIp(setup, '203.0.113.8')).toBe('203.0.113.8');
    expect(await recordedIp(setup)).toBe(SOCKET);
  });

  test('TRUST_PROXY=true skips entries that are not IP addresses, a 65-character one included, and never answers 500', async () => {
    expect(await recordedIp(setup, 'garbage, 203.0.113.9, 10.0.0.3')).toBe('203.0.113.9');
    expect(await recordedIp(setup, `${TOO_LONG}, 203.0.113.10`)).toBe('203.0.113.10');
    expect(await recordedIp(setup, `203.0.113.11:4711, [2001:db8::1], fe80::1%${'x'.repeat(60)}, 10.0.0.4`)).toBe(
      '10.0.0.4',
    );
    expect(await recordedIp(setup, 'garbage')).toBe(SOCKET);
    expect(await recordedIp(setup, TOO_LONG)).toBe(SOCKET);
    expect(await recordedIp(setup, ' , ,')).toBe(SOCKET);
  });

  test('TRUST_PROXY=true records IPv6 addresses as sent', async () => {
    expect(await recordedIp(setup, '2001:db8::7, 10.0.0.3')).toBe('2001:db8::7');
    expect(await recordedIp(setup, '::ffff:203.0.113.12')).toBe('::ffff:203.0.113.12');
  });

  test('TRUST_PROXY=true gives the security event of a sign-in the same IP as its session', async () => {
    const ip = await recordedIp(setup, 'garbage, 203.0.113.13');
    expect(ip).toBe('203.0.113.13');
    const events = await setup.member.client.trpc.auth.securityEvents.query({ limit: 1 });
    expect(events.items[0]).toMatchObject({ ip: '203.0.113.13' });
  });
});

describe('TRUST_PROXY=1', () => {
  const setup = serverWithTrustProxy('1');

  test('TRUST_PROXY=1 records the last entry of X-Forwarded-For, the one the load balancer added', async () => {
    expect(await recordedIp(setup, '203.0.113.7, 198.51.100.2')).toBe('198.51.100.2');
    expect(await recordedIp(setup, '198.51.100.3')).toBe('198.51.100.3');
    expect(await recordedIp(setup)).toBe(SOCKET);
  });

  test('TRUST_PROXY=1 skips entries that are not IP addresses and takes an IPv6 one', async () => {
    expect(await recordedIp(setup, `203.0.113.7, 198.51.100.4, garbage, ${TOO_LONG}`)).toBe('198.51.100.4');
    expect(await recordedIp(setup, '203.0.113.7, 2001:db8::8')).toBe('2001:db8::8');
    expect(await recordedIp(setup, 'garbage')).toBe(SOCKET);
  });
});

describe('TRUST_PROXY=2', () => {
  const setup = serverWithTrustProxy('2');

  test('TRUST_PROXY=2 records the second entry of X-Forwarded-For from the right', async () => {
    expect(await recordedIp(setup, '192.0.2.1, 203.0.113.7, 10.0.0.2')).toBe('203.0.113.7');
    expect(await recordedIp(setup, '203.0.113.8, 10.0.0.2')).toBe('203.0.113.8');
  });

  test('TRUST_PROXY=2 records the leftmost entry when X-Forwarded-For has fewer', async () => {
    expect(await recordedIp(setup, '203.0.113.9')).toBe('203.0.113.9');
    expect(await recordedIp(setup, 'garbage, 203.0.113.10')).toBe('203.0.113.10');
    expect(await recordedIp(setup)).toBe(SOCKET);
  });
});

describe('TRUST_PROXY as a list of proxies', () => {
  const setup = serverWithTrustProxy('127.0.0.1, 10.0.0.0/8, 2001:db8:ffff::/48');

  test('TRUST_PROXY as a list records the first address from the right that is not a listed proxy', async () => {
    expect(await recordedIp(setup, '192.0.2.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(await recordedIp(setup, '192.0.2.1, 203.0.113.8, 10.1.2.3, 10.200.0.1')).toBe('203.0.113.8');
    expect(await recordedIp(setup, '192.0.2.1, 2001:db8::9, 2001:db8:ffff::1')).toBe('2001:db8::9');
    expect(await recordedIp(setup)).toBe(SOCKET);
  });

  test('TRUST_PROXY as a list skips entries that are not IP addresses, and keeps the nearest proxy when none is left', async () => {
    expect(await recordedIp(setup, `203.0.113.9, ${TOO_LONG}, garbage, 10.1.2.3`)).toBe('203.0.113.9');
    expect(await recordedIp(setup, '10.1.2.3, 10.1.2.4')).toBe('10.1.2.3');
    expect(await recordedIp(setup, 'garbage')).toBe(SOCKET);
  });
});

describe('TRUST_PROXY as a list without the socket’s address', () => {
  const setup = serverWithTrustProxy('10.0.0.0/8');

  test('TRUST_PROXY as a list ignores X-Forwarded-For from a peer that is not listed', async () => {
    expect(await recordedIp(setup, '203.0.113.7, 10.1.2.3')).toBe(SOCKET);
  });
});

describe('TRUST_PROXY refusals', () => {
  test('TRUST_PROXY of another form is refused by loadConfig with one line, before any server starts', () => {
    for (const value of ['maybe', '101', '10.0.0.0/33', '10.0.0.1, proxy.internal']) {
      let caught: unknown;
      try {
        loadConfig({ TRUST_PROXY: value });
      } catch (error) {
        caught = error;
      }
      expect(caught, value).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).problems, value).toEqual([
        expect.stringMatching(new RegExp(`^TRUST_PROXY="${value.replace(/[./]/g, '\\$&')}": `)),
      ]);
    }
  });
});
