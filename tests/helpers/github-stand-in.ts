import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { clientCredentials, readBody } from './request-body.ts';

/**
 * A stand-in for GitHub's OAuth app endpoints and the two user API calls Latchkey makes, on
 * 127.0.0.1 (GITHUB_BASE_URL and GITHUB_API_URL point here). GitHub is plain OAuth 2.0 with no ID
 * token, so there is no library to run instead: this follows GitHub's documented behaviour
 * ("Authorizing OAuth apps", REST "Users" and "Emails"), including its quirks: token errors come
 * with status 200 and an `error` field, the token answer is form-encoded unless asked for JSON, and
 * the API wants a User-Agent. PKCE (S256) is required here, although GitHub accepts requests
 * without it, so a missing code_challenge fails a test.
 */

export type GitHubEmail = {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility?: 'public' | 'private' | null;
};

export type GitHubUser = {
  id: number;
  login: string;
  name: string | null;
  emails: GitHubEmail[];
  /** The public email on /user; default the primary address when its visibility is public, else null. */
  publicEmail?: string | null;
  avatarUrl?: string;
};

export type GitHubApp = { clientId: string; clientSecret: string; redirectUris: string[] };

export type GitHubRequest = { method: string; path: string; authorization: string | undefined };

export type GitHubStandIn = {
  /** GITHUB_BASE_URL: /login/oauth/authorize and /login/oauth/access_token. */
  url: string;
  /** GITHUB_API_URL: /user and /user/emails (the same server). */
  apiUrl: string;
  /** Registers an OAuth app now: Latchkey's callback URL is known only once Latchkey runs. */
  addApp(app: GitHubApp): void;
  /**
   * The next authorization signs in as `user` (once). Without one, a browser that signed in before
   * (the stand-in's session cookie) is signed in again as that user; one that did not answers 400.
   */
  nextLogin(user: GitHubUser): void;
  /** The next authorization ends with error=access_denied (the user pressed "Cancel"). */
  deny(): void;
  /** Every request, oldest first (path with query). */
  requests: GitHubRequest[];
  close(): Promise<void>;
};

type IssuedCode = {
  clientId: string;
  redirectUri: string | undefined;
  scope: string;
  user: GitHubUser;
  codeChallenge: string;
  expiresAt: number;
};

const CODE_TTL_MS = 10 * 60 * 1000; // 10 minutes, as GitHub

const sameSecret = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const cookieValue = (request: http.IncomingMessage, name: string): string | undefined =>
  (request.headers.cookie ?? '')
    .split(';')
    .map((part) => part.trim().split('='))
    .find(([key]) => key === name)?.[1];

export async function startGitHubStandIn(options: { apps?: GitHubApp[] } = {}): Promise<GitHubStandIn> {
  const apps = [...(options.apps ?? [])];
  const requests: GitHubRequest[] = [];
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, { user: GitHubUser; scope: string }>();
  const sessions = new Map<string, GitHubUser>();
  let pending: { kind: 'login'; user: GitHubUser } | { kind: 'deny' } | undefined;

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push({
      method: request.method ?? 'GET',
      path: url.pathname + url.search,
      authorization: request.headers.authorization,
    });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      response.end(JSON.stringify(body));
    };
    const page = (status: number, text: string) => {
      response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`github-stand-in: ${text}`);
    };
    try {
      if (request.method === 'GET' && url.pathname === '/login/oauth/authorize')
        return authorize(url, request, response, page);
      if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        return accessToken(request, await readBody(request), response);
      }
      if (request.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
        return api(url.pathname, request, json);
      }
      return json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    } catch (error) {
      return page(500, (error as Error).message);
    }
  });

  function authorize(
    url: URL,
    request: http.IncomingMessage,
    response: http.ServerResponse,
    page: (status: number, text: string) => void,
  ) {
    const query = url.searchParams;
    const app = apps.find((candidate) => candidate.clientId === query.get('client_id'));
    // GitHub shows an error page for these rather than redirect to an address it does not trust.
    if (!app) return page(404, `no OAuth app with client_id ${query.get('client_id')}`);
    const redirectParam = query.get('redirect_uri') ?? undefined;
    const redirectUri = redirectParam ?? app.redirectUris[0]!;
    if (!app.redirectUris.includes(redirectUri)) return page(400, `redirect_uri ${redirectUri} is not registered`);
    const back = new URL(redirectUri);
    const state = query.get('state');
    const redirect = (params: Record<string, string>) => {
      for (const [key, value] of Object.entries(params)) back.searchParams.set(key, value);
      if (state !== null) back.searchParams.set('state', state);
      response.writeHead(302, { Location: back.href });
      response.end();
    };
    const codeChallenge = query.get('code_challenge');
    if (!codeChallenge || query.get('code_challenge_method') !== 'S256') {
      return redirect({ error: 'invalid_request', error_description: 'code_challenge with S256 is required' });
    }
    const next = pending;
    pending = undefined;
    if (next?.kind === 'deny') {
      return redirect({
        error: 'access_denied',
        error_description: 'The user has denied your application access.',
        error_uri: 'https://docs.github.com/apps/troubleshooting-authorization-requests#access-denied',
      });
    }
    const sessionId = cookieValue(request, 'gh_session');
    const user = next?.user ?? (sessionId ? sessions.get(sessionId) : undefined);
    if (!user) return page(400, 'an authorization needs a sign-in, and the test called no github.nextLogin()');
    const newSession = randomBytes(16).toString('hex');
    sessions.set(newSession, user);
    const code = randomBytes(10).toString('hex');
    codes.set(code, {
      clientId: app.clientId,
      redirectUri: redirectParam,
      scope: query.get('scope') ?? '',
      user,
      codeChallenge,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    response.setHeader('Set-Cookie', `gh_session=${newSession}; Path=/; HttpOnly; SameSite=Lax`);
    return redirect({ code });
  }

  function accessToken(request: http.IncomingMessage, body: string, response: http.ServerResponse) {
    const isJson = (request.headers['content-type'] ?? '').includes('application/json');
    const params = isJson
      ? new URLSearchParams(Object.entries(JSON.parse(body || '{}') as Record<string, string>))
      : new URLSearchParams(body);
    const wantsJson = (request.headers.accept ?? '').includes('application/json');
    const answer = (fields: Record<string, string>) => {
      response.writeHead(200, {
        'Content-Type': wantsJson
          ? 'application/json; charset=utf-8'
          : 'application/x-www-form-urlencoded; charset=utf-8',
      });
      response.end(wantsJson ? JSON.stringify(fields) : new URLSearchParams(fields).toString());
    };
    const failure = (error: string, description: string) =>
      answer({
        error,
        error_description: description,
        error_uri: 'https://docs.github.com/apps/troubleshooting-oauth-errors',
      });

    const { clientId, clientSecret } = clientCredentials(params, request);
    const app = apps.find((candidate) => candidate.clientId === clientId);
    if (!app || !clientSecret || !sameSecret(clientSecret, app.clientSecret)) {
      return failure('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    }
    const code = params.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code); // single use, whatever follows
    if (!issued || issued.clientId !== app.clientId || issued.expiresAt < Date.now()) {
      return failure('bad_verification_code', 'The code passed is incorrect or expired.');
    }
    if (issued.redirectUri !== undefined && params.get('redirect_uri') !== issued.redirectUri) {
      return failure(
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
    }
    const verifier = params.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge) {
      return failure('bad_verification_code', 'The code_verifier does not match the code_challenge.');
    }
    const token = `gho_${randomBytes(18).toString('base64url')}`;
    tokens.set(token, { user: issued.user, scope: issued.scope });
    return answer({
      access_token: token,
      token_type: 'bearer',
      scope: issued.scope
        .split(/[\s,]+/)
        .filter(Boolean)
        .join(','),
    });
  }

  function api(path: string, request: http.IncomingMessage, json: (status: number, body: unknown) => void) {
    if (!request.headers['user-agent']) {
      return json(403, {
        message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.',
      });
    }
    const bearer = /^(?:Bearer|token)\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const grant = bearer ? tokens.get(bearer[1]!) : undefined;
    if (!grant)
      return json(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    const { user } = grant;
    if (path === '/user') {
      const primary = user.emails.find((email) => email.primary);
      const publicEmail =
        user.publicEmail !== undefined ? user.publicEmail : primary?.visibility === 'public' ? primary.email : null;
      return json(200, {
        login: user.login,
        id: user.id,
        node_id: `U_${Buffer.from(String(user.id)).toString('base64url')}`,
        avatar_url: user.avatarUrl ?? `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
        type: 'User',
        name: user.name,
        email: publicEmail,
      });
    }
    // GitHub lists the addresses only with the user:email (or user) scope.
    const scopes = grant.scope.split(/[\s,]+/);
    if (!scopes.includes('user:email') && !scopes.includes('user')) {
      return json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    }
    return json(
      200,
      user.emails.map((email) => ({
        email: email.email,
        primary: email.primary,
        verified: email.verified,
        visibility: email.visibility ?? (email.primary ? 'private' : null),
      })),
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: url,
    addApp(app) {
      const index = apps.findIndex((candidate) => candidate.clientId === app.clientId);
      apps.splice(index === -1 ? apps.length : index, index === -1 ? 0 : 1, { ...app });
    },
    nextLogin(user) {
      pending = { kind: 'login', user: { ...user, emails: user.emails.map((email) => ({ ...email })) } };
    },
    deny() {
      pending = { kind: 'deny' };
    },
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
