import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '#server/config.ts';
import { cookiePathFor } from '#server/http/rest-shape.ts';

type CookieConfig = Pick<Config, 'secureCookies'>;

// API.md §3: the __Secure- prefix and Secure whenever PUBLIC_URL is https.
export function refreshCookieName(config: CookieConfig): string {
  return config.secureCookies ? '__Secure-refresh_token' : 'refresh_token';
}

function attributes(reply: FastifyReply, config: CookieConfig, maxAge: number) {
  const path = cookiePathFor(reply.request.url);
  return { httpOnly: true, sameSite: 'strict', path, secure: config.secureCookies, maxAge } as const;
}

export function setRefreshCookie(
  reply: FastifyReply,
  config: CookieConfig,
  token: string,
  maxAgeSeconds: number,
): void {
  reply.setCookie(refreshCookieName(config), token, attributes(reply, config, maxAgeSeconds));
}

export function clearRefreshCookie(reply: FastifyReply, config: CookieConfig): void {
  reply.setCookie(refreshCookieName(config), '', { ...attributes(reply, config, 0), expires: new Date(0) });
}

export function readRefreshCookie(req: FastifyRequest, config: CookieConfig): string | null {
  return req.cookies[refreshCookieName(config)] || null;
}
