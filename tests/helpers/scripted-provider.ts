import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { clientCredentials, readBody } from './request-body.ts';

/**
 * An OpenID Provider that issues whatever ID token the test scripts, for the attack tests of API.md
 * §12 (wrong aud, iss or nonce, expired, signed by another key, alg none or HS256): a real provider
 * cannot be made to sign those. Everything else is plain and correct: discovery, a JWKS, an
 * authorization endpoint that answers at once with code, state and iss (RFC 9207), and a token
 * endpoint that checks the client, the code (single use), redirect_uri and the PKCE verifier.
 */

export type ScriptedAlg = 'ES256' | 'RS256' | 'HS256' | 'none';

export type SignOptions = {
  /** Default ES256, the one the discovery document advertises. */
  alg?: ScriptedAlg;
  /** 'own': a key in the JWKS; 'other': one that is not, under the same kid by default. HS256 uses the client secret. */
  key?: 'own' | 'other';
  kid?: string;
  /** Header fields to add or replace (undefined removes one). */
  header?: Record<string, unknown>;
};

/** What the token endpoint knows when it asks the script for an ID token. */
export type TokenContext = { nonce: string | undefined; clientId: string; issuer: string; code: string };

export type ScriptedProvider = {
  issuer: string;
  url: string;
  /** The ID token of the next token response (once); the good one by default. Return undefined for none. */
  nextIdToken: ((context: TokenContext) => string | undefined | Promise<string | undefined>) | undefined;
  /** The `iss` of the next authorization response (once): a string, or null to leave it out. */
  nextRedirectIss: string | null | undefined;
  /** A compact JWS of `payload` (ES256 in IEEE P1363 form, as JWS needs). */
  sign(payload: Record<string, unknown>, options?: SignOptions): string;
  /** Claims that pass every check: iss, aud, sub, exp (in 5 minutes), iat, nonce, email, email_verified. */
  goodClaims(context: {
    nonce: string | undefined;
    clientId: string;
    sub?: string;
    email?: string;
  }): Record<string, unknown>;
  /** A new own ES256 key (new kid) published from now on; the old one stays in the JWKS when `keepOld`. */
  rotateKey(options?: { keepOld?: boolean }): void;
  /** Method and path (with query) of every request, oldest first. */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
};

type OwnKey = { kid: string; privateKey: KeyObject; publicKey: KeyObject };

const newKey = (type: 'ec' | 'rsa', kid: string): OwnKey => {
  const pair =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, ...pair };
};

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startScriptedProvider(options: {
  clientId: string;
  clientSecret: string;
  /** Default sub and email of goodClaims. */
  sub?: string;
  email?: string;
}): Promise<ScriptedProvider> {
  const requests: { method: string; path: string }[] = [];
  const suffix = () => randomBytes(4).toString('hex');
  let ecKeys: OwnKey[] = [newKey('ec', `scripted-es256-${suffix()}`)];
  // Published too, so an RS256 token fails for its alg (not advertised), not for an unknown key.
  const rsaKey = newKey('rsa', `scripted-rs256-${suffix()}`);
  const otherEc = newKey('ec', 'other');
  const otherRsa = newKey('rsa', 'other');
  const codes = new Map<
    string,
    { redirectUri: string; nonce: string | undefined; codeChallenge: string; clientId: string }
  >();

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const scripted: ScriptedProvider = {
    issuer,
    url: issuer,
    nextIdToken: undefined,
    nextRedirectIss: undefined,
    requests,
    sign(payload, signOptions = {}) {
      const alg = signOptions.alg ?? 'ES256';
      const own = signOptions.key !== 'other';
      const key = alg === 'RS256' ? (own ? rsaKey : otherRsa) : own ? ecKeys[0]! : otherEc;
      // The other key claims the own key's kid unless told otherwise: the signature must be checked, not the kid.
      const kid = signOptions.kid ?? (alg === 'RS256' ? rsaKey.kid : ecKeys[0]!.kid);
      const header: Record<string, unknown> = {
        alg,
        typ: 'JWT',
        ...(alg === 'none' || alg === 'HS256' ? {} : { kid }),
      };
      for (const [name, value] of Object.entries(signOptions.header ?? {})) {
        if (value === undefined) delete header[name];
        else header[name] = value;
      }
      const input = `${b64url(header)}.${b64url(payload)}`;
      let signature: Buffer;
      if (alg === 'none') signature = Buffer.alloc(0);
      else if (alg === 'HS256') signature = createHmac('sha256', options.clientSecret).update(input).digest();
      else if (alg === 'ES256')
        signature = sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
      else signature = sign('sha256', Buffer.from(input), key.privateKey);
      return `${input}.${signature.toString('base64url')}`;
    },
    goodClaims({ nonce, clientId, sub, email }) {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: issuer,
        aud: clientId,
        sub: sub ?? options.sub ?? 'scripted-user-1',
        exp: now + 5 * 60, // 5 minutes
        iat: now,
        ...(nonce === undefined ? {} : { nonce }),
        email: email ?? options.email ?? 'scripted-user-1@example.com',
        email_verified: true,
      };
    },
    rotateKey({ keepOld = false } = {}) {
      const key = newKey('ec', `scripted-es256-${suffix()}`);
      ecKeys = keepOld ? [key, ...ecKeys] : [key];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };

  const discovery = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    scopes_supported: ['openid', 'email', 'profile'],
    id_token_signing_alg_values_supported: ['ES256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };

  server.on('request', async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', issuer);
    requests.push({ method: request.method ?? 'GET', path: url.pathname + url.search });
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET' && url.pathname === '/.well-known/openid-configuration') return json(200, discovery);
    if (request.method === 'GET' && url.pathname === '/jwks') {
      const keys = [...ecKeys, rsaKey].map(({ kid, publicKey }) => ({
        ...publicKey.export({ format: 'jwk' }),
        kid,
        use: 'sig',
        alg: kid.includes('rs256') ? 'RS256' : 'ES256',
      }));
      return json(200, { keys });
    }
    if (request.method === 'GET' && url.pathname === '/authorize') {
      const query = url.searchParams;
      const redirectUri = query.get('redirect_uri');
      if (query.get('client_id') !== options.clientId || !redirectUri) {
        return json(400, { error: 'invalid_request', error_description: 'unknown client_id or no redirect_uri' });
      }
      const back = new URL(redirectUri);
      const codeChallenge = query.get('code_challenge');
      if (query.get('response_type') !== 'code' || !codeChallenge || query.get('code_challenge_method') !== 'S256') {
        back.searchParams.set('error', 'invalid_request');
      } else {
        const code = randomBytes(16).toString('base64url');
        codes.set(code, {
          redirectUri,
          nonce: query.get('nonce') ?? undefined,
          codeChallenge,
          clientId: options.clientId,
        });
        back.searchParams.set('code', code);
      }
      const state = query.get('state');
      if (state !== null) back.searchParams.set('state', state);
      const iss = scripted.nextRedirectIss === undefined ? issuer : scripted.nextRedirectIss;
      scripted.nextRedirectIss = undefined;
      if (iss !== null) back.searchParams.set('iss', iss);
      response.writeHead(302, { Location: back.href });
      return response.end();
    }
    if (request.method === 'POST' && url.pathname === '/token') {
      const params = new URLSearchParams(await readBody(request));
      const { clientId, clientSecret } = clientCredentials(params, request);
      if (clientId !== options.clientId || clientSecret !== options.clientSecret) {
        return json(401, { error: 'invalid_client' });
      }
      const code = params.get('code') ?? '';
      const issued = codes.get(code);
      codes.delete(code); // single use
      const verifier = params.get('code_verifier') ?? '';
      if (
        params.get('grant_type') !== 'authorization_code' ||
        !issued ||
        issued.redirectUri !== params.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge
      ) {
        return json(400, { error: 'invalid_grant' });
      }
      const script = scripted.nextIdToken;
      scripted.nextIdToken = undefined;
      const context: TokenContext = { nonce: issued.nonce, clientId: issued.clientId, issuer, code };
      let idToken: string | undefined;
      try {
        idToken = script ? await script(context) : scripted.sign(scripted.goodClaims(context));
      } catch (error) {
        return json(500, {
          error: 'server_error',
          error_description: `nextIdToken threw: ${(error as Error).message}`,
        });
      }
      return json(200, {
        access_token: randomBytes(16).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 300,
        ...(idToken === undefined ? {} : { id_token: idToken }),
      });
    }
    return json(404, { error: 'not_found' });
  });

  return scripted;
}
