import { SoftwareAuthenticator, type CreationOptionsJSON } from '#tests/helpers/software-authenticator.ts';

// The passkey sign-in scenario (API.md §13): one member adds a passkey over HTTP with the tests'
// software authenticator (real P-256 keys and signatures), then every sign-in is prepared beforehand
// (a challenge and the authenticator's signed answer), since a challenge works once. Only
// auth.passkeys.signIn is measured: the challenge, the signature check and the sign-in.

export type PreparedSignIn = { body: string; ip: string };

type TrpcAnswer<T> = { result?: { data: T }; error?: { data?: { reason?: string } } };

async function call<T>(
  serverUrl: string,
  procedure: string,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(`${serverUrl}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input ?? {}),
  });
  const answer = (await response.json()) as TrpcAnswer<T>;
  if (!response.ok || !answer.result) {
    throw new Error(`${procedure} answered ${response.status}: ${answer.error?.data?.reason ?? 'no reason'}`);
  }
  return answer.result.data;
}

/**
 * Signs the member in with their password, adds a passkey through the whole ceremony, and returns
 * the authenticator that holds it. Synced passkeys keep their counter at 0 (as iCloud Keychain and
 * Google Password Manager do): answers signed in advance with rising counters would be refused as
 * going backwards whenever two sent at once arrived in the other order.
 */
export async function registerBenchPasskey(
  serverUrl: string,
  member: { email: string; password: string; ip: string },
): Promise<SoftwareAuthenticator> {
  const headers = { 'x-forwarded-for': member.ip };
  const signedIn = await call<{ status: string; session?: { accessToken: string } }>(
    serverUrl,
    'auth.login',
    { email: member.email, password: member.password },
    headers,
  );
  if (!signedIn.session) throw new Error(`The bench member's sign-in answered ${signedIn.status}`);
  const authed = { ...headers, authorization: `Bearer ${signedIn.session.accessToken}` };
  const options = await call<CreationOptionsJSON>(
    serverUrl,
    'auth.passkeys.registrationOptions',
    { password: member.password },
    authed,
  );
  const authenticator = SoftwareAuthenticator.for(serverUrl, { backedUp: true, counterStep: 0 });
  await call(serverUrl, 'auth.passkeys.register', { response: authenticator.register(options) }, authed);
  return authenticator;
}

/** `count` sign-ins waiting to be sent: each its own challenge, signed answer and address. */
export async function prepareSignIns(
  serverUrl: string,
  authenticator: SoftwareAuthenticator,
  input: { count: number; ip: () => string },
): Promise<PreparedSignIn[]> {
  const prepared: PreparedSignIn[] = [];
  for (let index = 0; index < input.count; index++) {
    const ip = input.ip();
    const { challengeId, options } = await call<{ challengeId: string; options: { challenge: string } }>(
      serverUrl,
      'auth.passkeys.authenticationOptions',
      undefined,
      { 'x-forwarded-for': ip },
    );
    prepared.push({ body: JSON.stringify({ challengeId, response: authenticator.authenticate(options) }), ip });
  }
  return prepared;
}
