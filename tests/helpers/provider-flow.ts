import { CookieJar, parseSetCookie, type SetCookie } from '#tests/helpers/cookie-jar.ts';

/**
 * The browser's part of a provider sign-in (API.md §12), over real HTTP with manual redirects:
 * Latchkey's start → the provider (its redirects, interactions, auto-submitting forms) → Latchkey's
 * callback. `runProviderFlow` does it all; the steps are exported apart so attack tests can tamper
 * between them (drop the flow cookie, change `state` or `iss`, replay a callback).
 */

/**
 * The request the provider sends the browser to: a redirect (GET) or Apple's form_post (POST), unsent.
 * `chain` is the navigation that led to it (for SameSite): the redirects since Latchkey's start page,
 * or the provider's page alone for a form post. Change `url` or `form` to tamper.
 */
export type CallbackRequest = { method: 'GET' | 'POST'; url: URL; form?: URLSearchParams; chain: URL[] };

export type CallbackResult = {
  status: number;
  /** Location as a path and query when it points into Latchkey (PUBLIC_URL or the URL used), else as sent. */
  location: string | null;
  setCookies: SetCookie[];
  headers: Headers;
  jar: CookieJar;
};

export type StartResult = {
  /** The provider's authorization URL (Latchkey's 302). */
  authorizeUrl: URL;
  /** The Set-Cookie headers of the start response (the flow cookie, scoped to /auth). */
  flowCookies: SetCookie[];
  jar: CookieJar;
  /** The navigation so far (Latchkey's start URL), to pass on to completeAtProvider. */
  chain: URL[];
};

export type FlowOptions = {
  /** Where the test talks to Latchkey, e.g. server.url. */
  latchkeyUrl: string;
  providerId: string;
  /** Path of Latchkey's start URL; default `/auth/oauth/<providerId>/start` (an SSO connection's is `/auth/sso/<id>/start`). */
  startPath?: string;
  /** Query of the start URL; default `{ intent: 'signin', returnTo: '/' }`. */
  query?: Record<string, string>;
  /** The browser; a fresh one by default. */
  jar?: CookieJar;
  /** Headers for requests to Latchkey only, e.g. `{ 'X-Forwarded-For': testIp() }` for the per-IP limits. */
  headers?: Record<string, string>;
};

const MAX_HOPS = 20;

type Hop = { method: 'GET' | 'POST'; url: URL; form?: URLSearchParams; chain: URL[] };

async function send(jar: CookieJar, hop: Hop, headers: Record<string, string> = {}): Promise<Response> {
  const requestHeaders = new Headers(headers);
  const cookie = jar.header(hop.url, { method: hop.method, chain: hop.chain });
  if (cookie) requestHeaders.set('Cookie', cookie);
  if (hop.form) {
    requestHeaders.set('Content-Type', 'application/x-www-form-urlencoded');
    // A browser submitting a form sends its Origin (the provider's page): Latchkey may check it.
    requestHeaders.set('Origin', hop.chain[0]?.origin ?? 'null');
  }
  const response = await fetch(hop.url, {
    method: hop.method,
    redirect: 'manual',
    headers: requestHeaders,
    body: hop.form?.toString(),
  });
  jar.store(hop.url, response.headers.getSetCookie());
  return response;
}

const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_match, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? '';
  });

const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? decodeEntities(match[1] ?? match[2] ?? match[3] ?? '') : undefined;
};

/**
 * The first form of an HTML page that submits itself (form_post, RFC "OAuth 2.0 Form Post Response
 * Mode"; oidc-provider's logout confirmation): its action and its inputs, as the browser would post them.
 */
export function parseAutoSubmitForm(
  html: string,
  pageUrl: URL,
): { action: URL; method: string; form: URLSearchParams } {
  const formTag = /<form\b[^>]*>/i.exec(html);
  if (!formTag) throw new Error(`No form on the page at ${pageUrl.href}:\n${html.slice(0, 500)}`);
  const end = html.indexOf('</form>', formTag.index);
  const body = html.slice(formTag.index, end === -1 ? undefined : end);
  const form = new URLSearchParams();
  for (const input of body.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(input, 'name');
    if (name !== undefined) form.append(name, attribute(input, 'value') ?? '');
  }
  return {
    action: new URL(attribute(formTag[0], 'action') ?? pageUrl.href, pageUrl),
    method: (attribute(formTag[0], 'method') ?? 'GET').toUpperCase(),
    form,
  };
}

/** GET Latchkey's start URL: expects its 302 to the provider, keeps the flow cookie in the jar. */
export async function startFlow(options: FlowOptions): Promise<StartResult> {
  const jar = options.jar ?? new CookieJar();
  const path = options.startPath ?? `/auth/oauth/${encodeURIComponent(options.providerId)}/start`;
  const url = new URL(path, options.latchkeyUrl);
  for (const [key, value] of Object.entries(options.query ?? { intent: 'signin', returnTo: '/' })) {
    url.searchParams.set(key, value);
  }
  // The SPA's link: a same-site navigation from Latchkey's own page.
  const response = await send(jar, { method: 'GET', url, chain: [url] }, options.headers);
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) {
    throw new Error(
      `Start answered ${response.status} (Location ${location}): ${(await response.text()).slice(0, 500)}`,
    );
  }
  return { authorizeUrl: new URL(location, url), flowCookies: parseCookies(response), jar, chain: [url] };
}

const parseCookies = (response: Response): SetCookie[] => response.headers.getSetCookie().map(parseSetCookie);

const sameEndpoint = (a: URL, b: URL) => a.origin === b.origin && a.pathname === b.pathname;

/**
 * Follows the provider from its authorization URL, as a browser would, and stops before the request
 * that would reach the callback (the authorization request's `redirect_uri`): returns that request
 * unsent. `chain` is where the navigation came from (default: the authorization URL only).
 */
export async function completeAtProvider(
  authorizeUrl: URL,
  options: { jar: CookieJar; chain?: URL[] },
): Promise<CallbackRequest> {
  const { jar } = options;
  const redirectUri = authorizeUrl.searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error(`The authorization URL has no redirect_uri: ${authorizeUrl.href}`);
  const callback = new URL(redirectUri);
  let hop: Hop = { method: 'GET', url: authorizeUrl, chain: [...(options.chain ?? []), authorizeUrl] };
  for (let count = 0; count < MAX_HOPS; count++) {
    const response = await send(jar, hop);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, hop.url);
      // 307/308 keep method and body; 301/302/303 become GET as browsers do.
      const keep = response.status === 307 || response.status === 308;
      const method = keep ? hop.method : 'GET';
      if (sameEndpoint(next, callback))
        return { method, url: next, form: keep ? hop.form : undefined, chain: hop.chain };
      hop = { method, url: next, form: keep ? hop.form : undefined, chain: [...hop.chain, next] };
      continue;
    }
    const body = await response.text();
    // A page that posts itself: form_post (200, or 400 for an error) or the provider's logout confirmation.
    if ((response.status === 200 || response.status === 400) && /<form\b/i.test(body)) {
      const { action, method, form } = parseAutoSubmitForm(body, hop.url);
      if (method === 'POST' && sameEndpoint(action, callback)) return { method, url: action, form, chain: [hop.url] };
      // A new navigation, started by the provider's page.
      hop =
        method === 'POST'
          ? { method: 'POST', url: action, form, chain: [hop.url, action] }
          : { method: 'GET', url: withQuery(action, form), chain: [hop.url, action] };
      continue;
    }
    throw new Error(`The provider answered ${response.status} at ${hop.url.href}: ${body.slice(0, 500)}`);
  }
  throw new Error(`More than ${MAX_HOPS} hops at the provider without reaching ${callback.href}.`);
}

function withQuery(url: URL, form: URLSearchParams): URL {
  const next = new URL(url);
  next.search = form.toString();
  return next;
}

/**
 * Sends the callback request to Latchkey as the browser would: the jar's cookies (SameSite applied
 * along `request.chain`) and, for a form post, the provider's Origin. Send it twice to replay it.
 */
export async function callCallback(
  request: CallbackRequest,
  options: { jar: CookieJar; latchkeyUrl?: string; headers?: Record<string, string> },
): Promise<CallbackResult> {
  const { jar } = options;
  const hop: Hop = { ...request, chain: [...request.chain, request.url] };
  const response = await send(jar, hop, options.headers);
  return {
    status: response.status,
    location: relativeLocation(response.headers.get('location'), request.url, options.latchkeyUrl),
    setCookies: parseCookies(response),
    headers: response.headers,
    jar,
  };
}

function relativeLocation(location: string | null, base: URL, latchkeyUrl: string | undefined): string | null {
  if (location === null) return null;
  const absolute = new URL(location, base);
  const ours = [base.origin, latchkeyUrl ? new URL(latchkeyUrl).origin : base.origin];
  return ours.includes(absolute.origin) ? `${absolute.pathname}${absolute.search}${absolute.hash}` : location;
}

/** The whole flow: start → provider → callback; returns Latchkey's answer to the callback. */
export async function runProviderFlow(options: FlowOptions): Promise<CallbackResult> {
  const start = await startFlow(options);
  const callback = await completeAtProvider(start.authorizeUrl, { jar: start.jar, chain: start.chain });
  return callCallback(callback, { jar: start.jar, latchkeyUrl: options.latchkeyUrl, headers: options.headers });
}
