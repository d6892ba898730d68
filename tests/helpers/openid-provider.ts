import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { interactionPolicy, type ClientMetadata, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import { createProviderStore } from '#tests/helpers/openid-provider-store.ts';
import { appleClientSecretProblem, type AppleTeamKey } from '#tests/helpers/apple-client-secret.ts';

/**
 * A real OpenID Provider (panva's oidc-provider, certified) on 127.0.0.1, so the provider sign-in of
 * API.md §12 is tested against a standard implementation rather than against our own reading of the
 * spec. The helper only replaces the human: it answers the provider's login and consent interactions
 * through the library's own interaction API; PKCE, state, nonce, client authentication, signed ID
 * tokens and the RFC 9207 `iss` response parameter are the library's, untouched.
 */

/** Who signs in at the provider: `sub` plus the claims the ID token may carry (by scope, see below). */
export type OpenIdAccount = {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  /** Claims outside the standard ones (e.g. Google's `hd`, Microsoft's `xms_edov`): see `extraClaims`. */
  [claim: string]: unknown;
};

export type OpenIdClient = {
  client_id: string;
  /** The shared secret; none for an Apple-style client (`apple`). */
  client_secret?: string;
  /** Exact match (OAuth 2.0 Security BCP): Latchkey's `<PUBLIC_URL>/auth/oauth/<id>/callback`. */
  redirect_uris: string[];
  /** Response modes the client may ask for; all of query, fragment and form_post when absent. */
  response_modes?: ('query' | 'form_post')[];
  /** Default client_secret_basic; client_secret_post for an Apple-style client. */
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
  /**
   * As Sign in with Apple: the client secret posted to the token endpoint must be a JWT signed ES256
   * with this team key (iss the team, sub the client, aud the issuer, kid the key id).
   */
  apple?: AppleTeamKey;
} & Pick<ClientMetadata, 'id_token_signed_response_alg'>;

export type OpenIdProviderOptions = {
  /** Clients known from the start; more with addClient() once Latchkey's callback URL is known. */
  clients?: OpenIdClient[];
  /**
   * Claims beyond sub, email, email_verified, name, given_name, family_name and picture that the ID
   * token may carry (granted with the `openid` scope). Default: hd, xms_edov, tid, preferred_username,
   * is_private_email. oidc-provider only releases claims it was configured with, so nextLogin()
   * refuses an account with any other claim rather than letting it vanish from the token.
   */
  extraClaims?: string[];
  /** Signing keys (private JWKs with kid); default one RSA 2048 key made here (RS256). */
  jwks?: { keys: JWK[] };
  /**
   * The token endpoint authentication methods to advertise; default the `clients`' own methods, or
   * client_secret_basic (the default of RFC 8414) when none is given at the start. Advertise only the
   * one the client is registered with, so a relying party that picks from discovery picks that one.
   */
  tokenEndpointAuthMethods?: ('client_secret_basic' | 'client_secret_post')[];
};

export type ProviderError = { event: string; error: string; description: string | undefined };

export type OpenIdProvider = {
  /** `http://127.0.0.1:<port>`, also the base URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  url: string;
  /** The oidc-provider instance, for what this helper does not wrap. */
  provider: Provider;
  /** Registers a client now (validated by the library; refused when its auth method is not advertised). */
  addClient(client: OpenIdClient): Promise<void>;
  /**
   * The next authorization signs in as `account` (once), even when the browser already has a session
   * at the provider; the account's claims are replaced, so the same `sub` with a new email is how a
   * test changes the email at the provider. Without a pending nextLogin, a browser with a session
   * signs in again as that session's account (single sign-on); one without answers 400, loudly.
   */
  nextLogin(account: OpenIdAccount): void;
  /** The next authorization ends with error=access_denied (the user pressed "Cancel"). */
  deny(description?: string): void;
  /** Errors the provider reported (authorization, token, userinfo, server), oldest first. */
  errors: ProviderError[];
  /** Method and path (with query) of every request, oldest first. */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
};

const STANDARD_CLAIMS = ['sub', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'picture'];
const DEFAULT_EXTRA_CLAIMS = ['hd', 'xms_edov', 'tid', 'preferred_username', 'is_private_email'];

function signingKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: `test-rsa-${randomBytes(4).toString('hex')}`, use: 'sig' };
}

type Pending = { kind: 'login'; account: OpenIdAccount } | { kind: 'deny'; description: string };

export async function startOpenIdProvider(options: OpenIdProviderOptions): Promise<OpenIdProvider> {
  const extraClaims = options.extraClaims ?? DEFAULT_EXTRA_CLAIMS;
  const supportedClaims = new Set([...STANDARD_CLAIMS, ...extraClaims]);
  const accounts = new Map<string, OpenIdAccount>();
  const errors: ProviderError[] = [];
  const requests: { method: string; path: string }[] = [];
  let pending: Pending | undefined;

  // The port is part of the issuer, which the provider needs at construction: listen first.
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // A pending nextLogin or deny must reach the interaction even when the browser's session and grant
  // would let the provider answer at once: one more reason for the login prompt, as prompt=login would be.
  const policy = interactionPolicy.base();
  policy
    .get('login')!
    .checks.add(
      new interactionPolicy.Check('test_pending', 'the test scripted the next sign-in', 'login_required', () =>
        pending ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT,
      ),
    );

  const clients = options.clients ?? [];
  const authMethods = options.tokenEndpointAuthMethods ?? [
    ...new Set(
      clients.length
        ? clients.map(
            (client) =>
              client.token_endpoint_auth_method ?? (client.apple ? 'client_secret_post' : 'client_secret_basic'),
          )
        : ['client_secret_basic' as const],
    ),
  ];
  // Apple-style clients get a random shared secret that only the token-request rewrite below knows.
  const appleClients = new Map<string, AppleTeamKey & { secret: string }>();
  const withDefaults = ({ apple, ...client }: OpenIdClient): ClientMetadata => {
    if (apple) appleClients.set(client.client_id, { ...apple, secret: randomBytes(32).toString('base64url') });
    else if (!client.client_secret) throw new Error(`Client ${client.client_id} needs a client_secret.`);
    return {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...client,
      client_secret: apple ? appleClients.get(client.client_id)!.secret : client.client_secret,
      token_endpoint_auth_method:
        client.token_endpoint_auth_method ?? (apple ? 'client_secret_post' : 'client_secret_basic'),
    };
  };
  const store = createProviderStore();

  const provider = new Provider(issuer, {
    adapter: store.adapter,
    clients: clients.map(withDefaults),
    jwks: options.jwks ?? { keys: [signingKey()] },
    // Scope → claims. Extra claims ride on `openid`, as Google's `hd` comes with any ID token.
    claims: {
      openid: ['sub', ...extraClaims],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture'],
    },
    // Put the scope's claims in the ID token too (Google, Microsoft and Apple do), not only at userinfo.
    conformIdTokenClaims: false,
    clientAuthMethods: authMethods,
    pkce: { required: () => true },
    // Seconds. Set, rather than the library's defaults, which it asks deployments to choose.
    ttl: {
      AccessToken: 60 * 60, // 1 hour
      AuthorizationCode: 10 * 60, // 10 minutes, the most RFC 6749 §4.1.2 recommends
      IdToken: 60 * 60, // 1 hour
      Interaction: 10 * 60, // 10 minutes
      Grant: 24 * 60 * 60, // 1 day
      Session: 24 * 60 * 60, // 1 day
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false } },
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ ...account, sub }) };
    },
  });
  const record =
    (event: string) => (_ctx: KoaContextWithOIDC, error: Error & { error?: string; error_description?: string }) =>
      errors.push({ event, error: error.error ?? error.message, description: error.error_description });
  for (const event of ['authorization.error', 'grant.error', 'userinfo.error', 'server_error'] as const) {
    provider.on(event as 'server_error', record(event));
  }

  // The part a human would do: sign in, then allow the client what it asked for.
  async function interact(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    if (new URL(request.url ?? '/', issuer).pathname !== `/interaction/${details.uid}`) {
      throw new Error('The interaction in the URL is not the one in the cookie.');
    }
    if (details.prompt.name === 'login') {
      const next = pending;
      pending = undefined;
      if (next?.kind === 'deny') {
        const result = { error: 'access_denied', error_description: next.description };
        return provider.interactionFinished(request, response, result, { mergeWithLastSubmission: false });
      }
      if (!next) {
        response.writeHead(400, { 'Content-Type': 'text/plain' });
        response.end('openid-provider: an authorization needs a sign-in, and the test called no op.nextLogin().');
        return;
      }
      const login = { accountId: next.account.sub, remember: true };
      return provider.interactionFinished(request, response, { login }, { mergeWithLastSubmission: false });
    }
    if (details.prompt.name === 'consent') {
      const { accountId } = details.session ?? {};
      const clientId = String(details.params.client_id);
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId });
      if (!grant) throw new Error(`Grant ${details.grantId} not found.`);
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      const consent = details.grantId ? {} : { grantId };
      return provider.interactionFinished(request, response, { consent }, { mergeWithLastSubmission: true });
    }
    throw new Error(`Unexpected prompt ${details.prompt.name}.`);
  }

  /**
   * Checks an Apple-style client secret (a JWT) and hands the library the shared secret it knows when
   * the JWT is good, a wrong one when not (so it answers invalid_client). The body is read here, and
   * oidc-provider then takes it from `request.body`, its documented path for an already parsed body.
   */
  async function appleTokenRequest(request: http.IncomingMessage & { body?: string }): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const apple = appleClients.get(params.get('client_id') ?? '');
    if (apple) {
      const clientId = params.get('client_id')!;
      const problem = appleClientSecretProblem(params.get('client_secret'), { ...apple, clientId, audience: issuer });
      if (problem) errors.push({ event: 'apple_client_secret', error: 'invalid_client', description: problem });
      params.set('client_secret', problem ? 'refused-apple-client-secret' : apple.secret);
    }
    request.body = params.toString();
  }

  const callback = provider.callback();
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '/' });
    const path = new URL(request.url ?? '/', issuer).pathname;
    if (appleClients.size && request.method === 'POST' && path === '/token') {
      return void appleTokenRequest(request).then(
        () => callback(request, response),
        (error: Error) => {
          response.writeHead(400, { 'Content-Type': 'text/plain' });
          response.end(`openid-provider: ${error.message}`);
        },
      );
    }
    if (!path.startsWith('/interaction/')) return void callback(request, response);
    interact(request, response).catch((error: Error) => {
      errors.push({ event: 'interaction', error: error.name, description: error.message });
      if (response.headersSent) return void response.end();
      response.writeHead(400, { 'Content-Type': 'text/plain' });
      response.end(`openid-provider interaction failed: ${error.message}`);
    });
  });

  return {
    issuer,
    url: issuer,
    provider,
    async addClient(client) {
      const method = client.token_endpoint_auth_method ?? (client.apple ? 'client_secret_post' : 'client_secret_basic');
      if (!authMethods.includes(method)) {
        throw new Error(
          `${method} is not advertised: start the provider with tokenEndpointAuthMethods: ['${method}'].`,
        );
      }
      store.putClient(withDefaults(client));
      // Find it now, so invalid metadata fails here rather than as invalid_client in the middle of a flow.
      const found = await provider.Client.find(client.client_id).catch(
        (error: Error & { error_description?: string }) => {
          throw new Error(`Client ${client.client_id} refused: ${error.message} (${error.error_description})`);
        },
      );
      if (!found) throw new Error(`Client ${client.client_id} was not found after registering it.`);
    },
    nextLogin(account) {
      const unsupported = Object.keys(account).filter((claim) => !supportedClaims.has(claim));
      if (unsupported.length) {
        throw new Error(`Claims ${unsupported.join(', ')} are not configured: add them to extraClaims.`);
      }
      accounts.set(account.sub, { ...account });
      pending = { kind: 'login', account };
    },
    deny(description = 'The user declined.') {
      pending = { kind: 'deny', description };
    },
    errors,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
