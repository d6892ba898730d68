import { afterAll, beforeAll, expect, test } from 'vitest';
import { tokenIn } from '#tests/helpers/mail-capture.ts';
import {
  VERIFY_SUBJECT,
  logCollector,
  rawTrpc,
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;
const log = logCollector();

beforeAll(async () => {
  server = await startTestServer({ LOG_LEVEL: 'info' }, { logStream: log.stream });
});
afterAll(async () => {
  await server?.close();
});

test('the log never contains a password, a link token, an access token, a refresh token or a cookie value', async () => {
  const secrets: Array<[string, string]> = [];
  const email = uniqueEmail('logged');
  const password = strongPassword();
  const wrongPassword = strongPassword();
  secrets.push(['password', password], ['wrong password', wrongPassword]);

  const client = server.client({ userAgent: 'log-test' });
  await client.trpc.auth.register.mutate({ email, password });
  await server.client().trpc.auth.register.mutate({ email, password: wrongPassword }); // the taken-email path
  const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT });
  const linkToken = tokenIn(mail, '/verify-email?token=');
  secrets.push(['verification token', linkToken]);

  const verified = await client.trpc.auth.verifyEmail.mutate({ token: linkToken });
  secrets.push(['access token (verify)', verified.accessToken], ['refresh cookie (verify)', client.refreshToken()!]);

  await trpcError(server.client().trpc.auth.login.mutate({ email, password: wrongPassword }));
  const login = await client.trpc.auth.login.mutate({ email, password });
  if (login.status !== 'signed_in') throw new Error('expected signed_in');
  secrets.push(['access token (login)', login.session.accessToken], ['refresh cookie (login)', client.refreshToken()!]);

  client.useSession(login.session);
  const refreshed = await client.trpc.auth.refresh.mutate();
  secrets.push(['access token (refresh)', refreshed.accessToken], ['refresh cookie (refresh)', client.refreshToken()!]);
  client.useSession(refreshed);
  await client.trpc.auth.me.query();
  // A password where it does not belong: in a query string.
  const inUrl = strongPassword();
  secrets.push(['password in a URL', inUrl]);
  await rawTrpc(server, { path: 'auth.login', method: 'GET', input: { email, password: inUrl } });
  await client.trpc.auth.logout.mutate();

  await new Promise((resolve) => setTimeout(resolve, 50));
  const text = log.text();
  // The log is being written: one line per request at least.
  const requests = log.lines().filter((line) => line.msg === 'request');
  expect(requests.length).toBeGreaterThanOrEqual(9);
  expect(requests.map((line) => line.route)).toContain('/trpc/auth.refresh');

  for (const [label, secret] of secrets) {
    expect({ label, found: text.includes(secret) }).toEqual({ label, found: false });
    // Nor any recognisable piece of a JWT (its signature).
    const signature = secret.split('.')[2];
    if (signature) expect({ label, found: text.includes(signature) }).toEqual({ label, found: false });
  }
});

test('an internal error is logged with the request id the client was given', async () => {
  server.app.deps.now = () => {
    throw new Error('clock unavailable for the logging test');
  };
  const response = await rawTrpc(server, { path: 'auth.verifyEmail', input: { token: 'D'.repeat(43) } });
  server.shiftClock(0);
  const requestId = response.json.error.data.requestId as string;
  expect(requestId).toBeTruthy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const errorLine = log.lines().find((line) => line.reqId === requestId && line.level === 50);
  expect(errorLine).toBeDefined();
  expect(JSON.stringify(errorLine)).toContain('clock unavailable for the logging test');
});
