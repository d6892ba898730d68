import { startOpenIdProvider, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import { completeAtProvider, runProviderFlow, startFlow } from '#tests/helpers/provider-flow.ts';

// The provider-sign-in scenario (API.md §12): a real OpenID Provider in the bench process, the one
// the tests use. Only the callback is measured (state check, code exchange, ID-token check, sign-in):
// each flow is started and taken through the provider beforehand, since a code works once.

export const BENCH_PROVIDER = 'bench';
const CLIENT = { id: 'latchkey-bench', secret: 'bench-secret' };

export type BenchProvider = { op: OpenIdProvider; env: Record<string, string>; close(): Promise<void> };

export async function startBenchProvider(): Promise<BenchProvider> {
  const op = await startOpenIdProvider({});
  const env = {
    OIDC_PROVIDERS: JSON.stringify([
      {
        id: BENCH_PROVIDER,
        name: 'Bench ID',
        issuer: op.issuer,
        clientId: CLIENT.id,
        clientSecret: CLIENT.secret,
        trustEmail: true,
      },
    ]),
  };
  return { op, env, close: () => op.close() };
}

/** Registers the server's callback; the issuer had to be in the server's environment first. */
export function registerBenchServer(provider: BenchProvider, serverUrl: string): Promise<void> {
  return provider.op.addClient({
    client_id: CLIENT.id,
    client_secret: CLIENT.secret,
    redirect_uris: [`${serverUrl}/auth/oauth/${BENCH_PROVIDER}/callback`],
  });
}

export type PreparedCallback = { path: string; cookie: string; ip: string };

const accountOf = (index: number) => ({
  sub: `bench-${index}`,
  email: `provider-${index}@bench.test`,
  email_verified: true,
});

/**
 * Makes the members' accounts with one complete sign-in each, then `count` callbacks waiting to be
 * sent, each of a member signing in again through their linked identity.
 */
export async function prepareCallbacks(
  provider: BenchProvider,
  serverUrl: string,
  input: { members: number; count: number; ip: () => string },
): Promise<PreparedCallback[]> {
  for (let index = 0; index < input.members; index++) {
    provider.op.nextLogin(accountOf(index));
    const first = await runProviderFlow({
      latchkeyUrl: serverUrl,
      providerId: BENCH_PROVIDER,
      headers: { 'X-Forwarded-For': input.ip() },
    });
    if (first.status !== 302 || first.location !== '/') throw new Error(`A bench sign-in went to ${first.location}`);
  }
  const prepared: PreparedCallback[] = [];
  for (let index = 0; index < input.count; index++) {
    const ip = input.ip();
    provider.op.nextLogin(accountOf(index % input.members));
    const started = await startFlow({
      latchkeyUrl: serverUrl,
      providerId: BENCH_PROVIDER,
      headers: { 'X-Forwarded-For': ip },
    });
    const callback = await completeAtProvider(started.authorizeUrl, started);
    const browser = started.flowCookies.find((cookie) => cookie.name === 'oauth_browser');
    if (!browser || callback.method !== 'GET') throw new Error('A bench flow did not come back as expected');
    prepared.push({
      path: `${callback.url.pathname}${callback.url.search}`,
      cookie: `oauth_browser=${browser.value}`,
      ip,
    });
  }
  return prepared;
}
