/**
 * A browser's cookie store, small enough to read: what the provider-sign-in tests need to follow a
 * flow across Latchkey and a provider over plain HTTP, as a browser would.
 *
 * Cookies are kept per host AND port. Browsers do not isolate cookies by port, but our tests run
 * Latchkey and the provider on one host (127.0.0.1), where a shared store would let the provider's
 * cookies reach Latchkey and hide a flow cookie that a real deployment (two hosts) would not send.
 * Domain is ignored (every cookie is host-only); Path and expiry are honoured (RFC 6265 §5.1.4, §5.3).
 * SameSite is honoured with schemeful sites (scheme + host, ports ignored, so 127.0.0.1 and localhost
 * are two sites): a cross-site POST (Apple's form_post) carries no Lax or Strict cookie, a cross-site
 * redirect chain no Strict one; no attribute counts as Lax, as in Chromium. Secure cookies are sent
 * over http too: every test origin is loopback, which browsers treat as a secure context.
 */

/** One Set-Cookie header, parsed (the same shape as ParsedSetCookie in test-server.ts). */
export type SetCookie = {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags (HttpOnly, Secure) map to true. */
  attributes: Map<string, string | true>;
  raw: string;
};

export type StoredCookie = {
  name: string;
  value: string;
  path: string;
  sameSite: 'strict' | 'lax' | 'none';
  httpOnly: boolean;
  secure: boolean;
  /** Epoch milliseconds; undefined for a session cookie. */
  expiresAt: number | undefined;
};

/** Who caused a request, for SameSite: the sites of the page that started it and of each redirect so far. */
export type RequestContext = {
  method?: string;
  /** URLs of the navigation so far: the initiating page first, then every URL it was redirected through. */
  chain?: (string | URL)[];
};

export function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf('=');
    if (at === -1) attributes.set(trimmed.toLowerCase(), true);
    else attributes.set(trimmed.slice(0, at).trim().toLowerCase(), trimmed.slice(at + 1).trim());
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes, raw: header };
}

/** Schemeful site (ports ignored). On loopback every host is its own site; no public-suffix lookup is needed. */
export const siteOf = (url: string | URL): string => {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}`;
};

const hostKey = (url: URL): string =>
  `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '')}`;

/** RFC 6265 §5.1.4: the directory of the request path. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/';
  return path.slice(0, path.lastIndexOf('/'));
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export class CookieJar {
  /** host:port → cookies, keyed by name and path as a browser keys them. */
  private readonly hosts = new Map<string, Map<string, StoredCookie>>();

  /** Stores the Set-Cookie headers of a response to `url` (a deletion removes the cookie). */
  store(url: string | URL, setCookieHeaders: string[]): SetCookie[] {
    const target = new URL(url);
    const parsed = setCookieHeaders.map(parseSetCookie);
    for (const cookie of parsed) {
      const path = cookie.attributes.get('path');
      const sameSite = cookie.attributes.get('samesite');
      const maxAge = cookie.attributes.get('max-age');
      const expires = cookie.attributes.get('expires');
      let expiresAt: number | undefined;
      if (typeof maxAge === 'string' && /^-?\d+$/.test(maxAge)) expiresAt = Date.now() + Number(maxAge) * 1000;
      else if (typeof expires === 'string' && !Number.isNaN(Date.parse(expires))) expiresAt = Date.parse(expires);
      const stored: StoredCookie = {
        name: cookie.name,
        value: cookie.value,
        path: typeof path === 'string' && path.startsWith('/') ? path : defaultPath(target),
        sameSite:
          typeof sameSite === 'string' && /^(strict|none)$/i.test(sameSite)
            ? (sameSite.toLowerCase() as 'strict' | 'none')
            : 'lax',
        httpOnly: cookie.attributes.has('httponly'),
        secure: cookie.attributes.has('secure'),
        expiresAt,
      };
      const cookies = this.cookiesOf(target, true);
      const key = `${stored.name};${stored.path}`;
      if (expiresAt !== undefined && expiresAt <= Date.now()) cookies.delete(key);
      else cookies.set(key, stored);
    }
    return parsed;
  }

  /** The Cookie header a browser would send with this request, or undefined for none. */
  header(url: string | URL, context: RequestContext = {}): string | undefined {
    const target = new URL(url);
    const method = (context.method ?? 'GET').toUpperCase();
    const site = siteOf(target);
    const crossSite = (context.chain ?? []).some((hop) => siteOf(hop) !== site);
    const sent = this.list(target).filter((cookie) => {
      if (!crossSite || cookie.sameSite === 'none') return true;
      // A cross-site top-level navigation carries Lax cookies only when its method is safe (RFC 6265bis §5.6.7.1).
      return cookie.sameSite === 'lax' && (method === 'GET' || method === 'HEAD');
    });
    if (sent.length === 0) return undefined;
    // Longer paths first (RFC 6265 §5.4 step 2).
    sent.sort((a, b) => b.path.length - a.path.length);
    return sent.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  /** The live cookies that a request to `url` could carry (SameSite not applied). */
  list(url: string | URL): StoredCookie[] {
    const target = new URL(url);
    const now = Date.now();
    return [...this.cookiesOf(target, false).values()].filter(
      (cookie) =>
        (cookie.expiresAt === undefined || cookie.expiresAt > now) && pathMatches(target.pathname, cookie.path),
    );
  }

  /** The value of the cookie `name` that a request to `url` would carry. */
  get(url: string | URL, name: string): string | undefined {
    return this.list(url).find((cookie) => cookie.name === name)?.value;
  }

  /** Puts a cookie in, e.g. copied from a TestClient (host-only, Lax, no expiry unless given). */
  set(url: string | URL, name: string, value: string, attributes = 'Path=/'): void {
    this.store(url, [`${name}=${value}; ${attributes}`]);
  }

  /** Removes every cookie `name` of the host and port of `url`, whatever its path: a browser that lost it. */
  delete(url: string | URL, name: string): void {
    const cookies = this.cookiesOf(new URL(url), false);
    for (const [key, cookie] of cookies) if (cookie.name === name) cookies.delete(key);
  }

  /** Another browser profile with the same cookies from now on (copied, not shared). */
  clone(): CookieJar {
    const other = new CookieJar();
    for (const [host, cookies] of this.hosts) {
      other.hosts.set(host, new Map([...cookies].map(([key, cookie]) => [key, { ...cookie }])));
    }
    return other;
  }

  private cookiesOf(url: URL, create: boolean): Map<string, StoredCookie> {
    const key = hostKey(url);
    let cookies = this.hosts.get(key);
    if (!cookies) {
      cookies = new Map();
      if (create) this.hosts.set(key, cookies);
    }
    return cookies;
  }
}
