import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import {
  startTestServer,
  strongPassword,
  uniqueEmail,
  VERIFY_SUBJECT,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

type Step = { step: string; status: number; answer: Record<string, unknown> };

test('a Python client on its standard library signs up, confirms by the mailed link, signs in, calls auth/me, refreshes and signs out', async () => {
  const email = uniqueEmail('python');
  const since = server.mail.mark();
  const child = spawn(
    'python3',
    [path.join(import.meta.dirname, '../helpers/rest_client.py'), server.url, email, strongPassword()],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const steps: Step[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const step = JSON.parse(line) as Step;
    steps.push(step);
    if (step.step === 'register') {
      const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
      child.stdin.write(`${linkIn(mail, '/verify-email?token=')}\n`);
    }
  }
  expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  const byName = Object.fromEntries(steps.map((step) => [step.step, step]));
  expect(byName['register']).toMatchObject({ status: 200, answer: { status: 'verification_sent' } });
  expect(byName['verifyEmail']).toMatchObject({ status: 200, answer: { user: { email, emailVerified: true } } });
  expect(byName['login']).toMatchObject({ status: 200, answer: { status: 'signed_in' } });
  expect(byName['me']).toMatchObject({ status: 200, answer: { email, profile: { name: 'Py Thon' } } });
  expect(byName['refresh']).toMatchObject({ status: 200, answer: { accessToken: expect.any(String) } });
  expect(byName['me after refresh']).toMatchObject({ status: 200, answer: { email } });
  expect(byName['logout']).toMatchObject({ status: 200, answer: { status: 'ok' } });
  expect(byName['me after logout']).toMatchObject({ status: 401, answer: { reason: 'UNAUTHENTICATED' } });
}, 60_000);
