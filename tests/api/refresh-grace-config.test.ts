import { afterAll, beforeAll, expect, test } from 'vitest';
import { signUpAndVerify, startTestServer, trpcError, type TestServer } from '#tests/helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ REFRESH_REUSE_GRACE_SECONDS: '1' });
});
afterAll(async () => {
  await server?.close();
});

test('REFRESH_REUSE_GRACE_SECONDS sets the window: with 1 second, a retired token presented 3 seconds later revokes the session', async () => {
  const { client: tabA } = await signUpAndVerify(server);
  const tabB = tabA.fork();
  tabA.useSession(await tabA.trpc.auth.refresh.mutate());
  server.shiftClock(3); // inside the default 10-second window, outside the configured one
  const reuse = await trpcError(tabB.trpc.auth.refresh.mutate());
  expect(reuse.data?.reason).toBe('UNAUTHENTICATED');
  const me = await trpcError(tabA.trpc.auth.me.query());
  expect(me.data?.reason).toBe('UNAUTHENTICATED');
});
