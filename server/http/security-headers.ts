import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '#server/config.ts';

// No inline scripts or styles anywhere: the built SPA loads only files from its own origin.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export type HeaderSetter = (request: FastifyRequest, reply: FastifyReply) => void;

/** The headers of API.md §7 for a response to `url`. */
export function securityHeaderList(config: Pick<Config, 'secureCookies'>, url: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['Content-Security-Policy', CONTENT_SECURITY_POLICY],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
  ];
  if (config.secureCookies) headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  if (url.startsWith('/trpc') || url.startsWith('/api/')) headers.push(['Cache-Control', 'no-store']);
  return headers;
}

/** API.md §7: on every response, the SPA, errors and 404s included. */
export function securityHeaders(config: Pick<Config, 'secureCookies'>): HeaderSetter {
  return (request, reply) => {
    for (const [name, value] of securityHeaderList(config, request.url)) reply.header(name, value);
  };
}

export function registerSecurityHeaders(app: FastifyInstance, setHeaders: HeaderSetter): void {
  app.addHook('onRequest', async (request, reply) => setHeaders(request, reply));
}
