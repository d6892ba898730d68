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

/** API.md §7: on every response, the SPA, errors and 404s included. */
export function securityHeaders(config: Pick<Config, 'secureCookies'>): HeaderSetter {
  return (request, reply) => {
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (config.secureCookies) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (request.url.startsWith('/trpc')) reply.header('Cache-Control', 'no-store');
  };
}

export function registerSecurityHeaders(app: FastifyInstance, setHeaders: HeaderSetter): void {
  app.addHook('onRequest', async (request, reply) => setHeaders(request, reply));
}
