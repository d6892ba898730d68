import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in caller, once a procedure has authenticated the request. */
    userId?: string;
  }
}

/**
 * One line per request: id, method, route (never the query string: it can carry input), status,
 * duration, and the user when known. Headers and bodies are never logged.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.url.split('?')[0],
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ...(request.userId ? { userId: request.userId } : {}),
      },
      'request',
    );
  });
}
