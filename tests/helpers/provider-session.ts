import type { AuthSession } from '#shared/schemas/auth.ts';
import type { CallbackResult } from './provider-flow.ts';
import type { TestClient, TestServer } from './test-server.ts';

/** Whether a provider callback set a session (a non-empty refresh cookie). */
export const setsSession = (result: CallbackResult) =>
  result.setCookies.some((cookie) => cookie.name === 'refresh_token' && cookie.value !== '');

/** The session a provider callback set, as the SPA gets it on its next start (auth.refresh with the cookie). */
export async function sessionOf(
  server: TestServer,
  result: CallbackResult,
): Promise<{ client: TestClient; session: AuthSession }> {
  const cookie = result.setCookies.find((entry) => entry.name === 'refresh_token' && entry.value);
  if (!cookie) throw new Error(`no session was set; the callback went to ${result.location}`);
  const client = server.client();
  client.cookies.set('refresh_token', cookie.value);
  const session = await client.trpc.auth.refresh.mutate();
  client.useSession(session);
  return { client, session };
}
