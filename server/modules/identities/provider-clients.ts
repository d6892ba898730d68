import * as oidc from 'openid-client';
import type { Deps } from '#server/deps.ts';
import { appleClientSecret } from './apple-secret.ts';
import {
  isAllowedProviderUrl,
  type GithubProviderConfig,
  type OidcProviderConfig,
  type ProviderConfig,
} from './provider-config.ts';

/** Who the provider says signed in, and whether it vouches for the address (API.md §12). */
export type ProviderProfile = {
  issuer: string;
  subject: string;
  email: string | null;
  emailVouched: boolean;
  name: string | null;
};

/** A failure at or with the provider: the member sees `provider_error` (or `access_denied`). */
export class ProviderError extends Error {
  constructor(
    readonly code: 'access_denied' | 'provider_error',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type AuthorizationRequest = { state: string; nonce: string; codeVerifier: string; redirectUri: string };
export type AuthorizationResponse = {
  /** The callback URL (built from PUBLIC_URL) with the response's parameters, GET or form post alike. */
  callbackUrl: URL;
  state: string;
  nonce: string | null;
  codeVerifier: string;
  /** Apple's form post carries the name, once, as JSON in `user`. */
  user?: string;
};

const REQUEST_TIMEOUT_SECONDS = 10;
const DISCOVERY_LIFETIME_MS = 60 * 60 * 1000; // 1 hour: providers rotate keys and endpoints rarely

const truthy = (value: unknown) => value === true || value === 'true';

/** Whether the provider's word confirms the address (API.md §12), preset by preset. */
function vouches(provider: OidcProviderConfig, claims: oidc.IDToken): boolean {
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : '';
  if (!email) return false;
  switch (provider.emailTrust) {
    case 'google':
      return truthy(claims.email_verified) && (email.endsWith('@gmail.com') || typeof claims.hd === 'string');
    case 'microsoft':
      return truthy(claims.xms_edov);
    case 'apple':
    case 'claimed':
      return truthy(claims.email_verified);
    case 'never':
      return false;
  }
}

function providerFailure(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof oidc.AuthorizationResponseError && error.error === 'access_denied') {
    return new ProviderError('access_denied', 'The member declined at the provider', { cause: error });
  }
  return new ProviderError('provider_error', 'The provider sign-in failed', { cause: error });
}

/** An OpenID Connect provider: discovery, PKCE, state, nonce, and the ID token checked against its JWKS. */
class OidcClient {
  #configuration: { value: Promise<oidc.Configuration>; at: number } | undefined;

  constructor(
    readonly provider: OidcProviderConfig,
    private readonly deps: Deps,
  ) {}

  private clientAuth(): oidc.ClientAuth {
    const { provider } = this;
    if (provider.appleKey)
      return (as, client, body, headers) =>
        oidc.ClientSecretPost(appleClientSecret(provider, this.deps.now()))(as, client, body, headers);
    return oidc.ClientSecretPost(provider.clientSecret);
  }

  private async discover(): Promise<oidc.Configuration> {
    const { provider } = this;
    const issuer = new URL(provider.issuer);
    const configuration = await oidc.discovery(issuer, provider.clientId, undefined, this.clientAuth(), {
      timeout: REQUEST_TIMEOUT_SECONDS,
      execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
    });
    const metadata = configuration.serverMetadata();
    for (const endpoint of [metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri]) {
      if (!endpoint || !isAllowedProviderUrl(endpoint)) {
        throw new ProviderError('provider_error', `${provider.id}: an endpoint is missing or not https: ${endpoint}`);
      }
    }
    // A client secret post is what every preset takes; basic only where post is not offered.
    const methods = metadata.token_endpoint_auth_methods_supported;
    if (
      !provider.appleKey &&
      methods &&
      !methods.includes('client_secret_post') &&
      methods.includes('client_secret_basic')
    ) {
      return this.withAuth(oidc.ClientSecretBasic(provider.clientSecret), metadata, issuer);
    }
    // The ID token from the token endpoint is checked against the JWKS too (API.md §12).
    oidc.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  private withAuth(auth: oidc.ClientAuth, metadata: oidc.ServerMetadata, issuer: URL): oidc.Configuration {
    const configuration = new oidc.Configuration(metadata, this.provider.clientId, undefined, auth);
    if (issuer.protocol === 'http:') oidc.allowInsecureRequests(configuration);
    configuration.timeout = REQUEST_TIMEOUT_SECONDS;
    oidc.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  /** Discovered once an hour; a failed discovery is tried again on the next sign-in. */
  configuration(): Promise<oidc.Configuration> {
    const now = Date.now();
    if (!this.#configuration || now - this.#configuration.at > DISCOVERY_LIFETIME_MS) {
      const value = this.discover();
      this.#configuration = { value, at: now };
      value.catch(() => {
        if (this.#configuration?.value === value) this.#configuration = undefined;
      });
    }
    return this.#configuration.value;
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const configuration = await this.configuration().catch((error) => Promise.reject(providerFailure(error)));
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: request.redirectUri,
      response_type: 'code',
      scope: this.provider.scopes.join(' '),
      state: request.state,
      nonce: request.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
      ...(this.provider.responseMode ? { response_mode: this.provider.responseMode } : {}),
    });
  }

  async profile(response: AuthorizationResponse): Promise<ProviderProfile> {
    try {
      const configuration = await this.configuration();
      const tokens = await oidc.authorizationCodeGrant(configuration, response.callbackUrl, {
        pkceCodeVerifier: response.codeVerifier,
        expectedState: response.state,
        expectedNonce: response.nonce ?? undefined,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new ProviderError('provider_error', 'No ID token');
      return {
        issuer: claims.iss,
        subject: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : null,
        emailVouched: vouches(this.provider, claims),
        name: nameOf(claims, response.user),
      };
    } catch (error) {
      throw providerFailure(error);
    }
  }
}

function nameOf(claims: oidc.IDToken, appleUser: string | undefined): string | null {
  if (typeof claims.name === 'string') return claims.name;
  if (!appleUser) return null;
  try {
    const { name } = JSON.parse(appleUser) as { name?: { firstName?: string; lastName?: string } };
    return [name?.firstName, name?.lastName].filter(Boolean).join(' ') || null;
  } catch {
    return null;
  }
}

type GithubEmail = { email: string; primary: boolean; verified: boolean };
type GithubUser = { id: number; login: string; name: string | null };

/** GitHub: OAuth 2.0 with PKCE, then who signed in from its REST API (no ID token). */
class GithubClient {
  readonly configuration: oidc.Configuration;

  constructor(readonly provider: GithubProviderConfig) {
    const base = provider.baseUrl.replace(/\/$/, '');
    this.configuration = new oidc.Configuration(
      {
        issuer: base,
        authorization_endpoint: `${base}/login/oauth/authorize`,
        token_endpoint: `${base}/login/oauth/access_token`,
      },
      provider.clientId,
      undefined,
      oidc.ClientSecretPost(provider.clientSecret),
    );
    this.configuration.timeout = REQUEST_TIMEOUT_SECONDS;
    if (base.startsWith('http:')) oidc.allowInsecureRequests(this.configuration);
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    return oidc.buildAuthorizationUrl(this.configuration, {
      redirect_uri: request.redirectUri,
      scope: 'read:user user:email',
      state: request.state,
      code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
      allow_signup: 'true',
    });
  }

  private async api<T>(path: string, accessToken: string): Promise<T> {
    const response = await fetch(`${this.provider.apiUrl.replace(/\/$/, '')}${path}`, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/vnd.github+json',
        'user-agent': 'Latchkey',
        'x-github-api-version': '2022-11-28',
      },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_SECONDS * 1000),
    });
    if (!response.ok) throw new ProviderError('provider_error', `GitHub ${path} answered ${response.status}`);
    return (await response.json()) as T;
  }

  async profile(response: AuthorizationResponse): Promise<ProviderProfile> {
    try {
      const tokens = await oidc.authorizationCodeGrant(this.configuration, response.callbackUrl, {
        pkceCodeVerifier: response.codeVerifier,
        expectedState: response.state,
      });
      const [user, emails] = await Promise.all([
        this.api<GithubUser>('/user', tokens.access_token),
        this.api<GithubEmail[]>('/user/emails', tokens.access_token),
      ]);
      if (typeof user.id !== 'number' || !Array.isArray(emails))
        throw new ProviderError('provider_error', 'GitHub answered an unexpected shape');
      // GitHub vouches only for a primary address it has verified (API.md §12); an unverified one is still the address.
      const primary = emails.find((entry) => entry.primary);
      return {
        issuer: this.configuration.serverMetadata().issuer,
        subject: String(user.id),
        email: primary?.email ?? null,
        emailVouched: primary?.verified === true,
        name: user.name || user.login || null,
      };
    } catch (error) {
      throw providerFailure(error);
    }
  }
}

export type ProviderClient = OidcClient | GithubClient;

/** An OpenID Connect client for a provider not in the configuration: an organization's SSO connection (API.md §15). */
export const oidcClient = (provider: OidcProviderConfig, deps: Deps): ProviderClient => new OidcClient(provider, deps);

/** One client per configured provider, made at start; discovery waits for the first sign-in. */
export function providerClients(providers: ProviderConfig[], deps: Deps): Map<string, ProviderClient> {
  return new Map(
    providers.map((provider) => [
      provider.id,
      provider.kind === 'oauth' ? new GithubClient(provider) : new OidcClient(provider, deps),
    ]),
  );
}
