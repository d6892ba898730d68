import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  startTestServer,
  strongPassword,
  trpcError,
  uniqueEmail,
  type TestServer,
} from '#tests/helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ REGISTRATION_MODE: 'invite_only' });
});
afterAll(async () => {
  await server?.close();
});

test('auth.register in invite-only mode is refused with REGISTRATION_CLOSED and mails nothing', async () => {
  const email = uniqueEmail('uninvited');
  const error = await trpcError(server.client().trpc.auth.register.mutate({ email, password: strongPassword() }));
  expect(error.data?.code).toBe('FORBIDDEN');
  expect(error.data?.reason).toBe('REGISTRATION_CLOSED');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(server.mail.mails()).toEqual([]);
});
