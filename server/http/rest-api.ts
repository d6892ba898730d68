// API.md §16: the REST form of the procedures under /api/v1, for clients that do not speak tRPC.
// Every route calls the very procedure the tRPC form calls (same middleware: session check, rate
// limits, origin check, unit of work), so the two forms cannot answer differently.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getTRPCErrorFromUnknown } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { contextFactory } from '#server/trpc/context.ts';
import { describeError } from '#server/trpc/error-format.ts';
import { createCaller } from '#server/trpc/caller.ts';
import type { RestRoute } from './rest-routes.ts';
import { REST_PREFIX, restErrorBody } from './rest-shape.ts';

/** A query's parameters arrive as strings: numbers and booleans become what the schema expects. */
function queryInput(route: RestRoute, query: Record<string, string | string[] | undefined>): unknown {
  const input: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value === undefined) continue;
    const type = route.queryTypes[name];
    if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) input[name] = Number(value);
    else if (type === 'boolean' && (value === 'true' || value === 'false')) input[name] = value === 'true';
    else input[name] = value;
  }
  return route.hasInput ? input : undefined;
}

async function answer(deps: Deps, route: RestRoute, request: FastifyRequest, reply: FastifyReply) {
  const ctx = contextFactory(deps)({ req: request, res: reply });
  const input =
    route.method === 'GET'
      ? queryInput(route, request.query as Record<string, string>)
      : route.hasInput
        ? (request.body ?? {})
        : undefined;
  try {
    const result = await route.call(createCaller(ctx), input);
    return reply.code(200).send(result);
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    if (error.code === 'INTERNAL_SERVER_ERROR')
      request.log.error({ err: error.cause ?? error, path: route.path }, 'procedure failed');
    const { message, data } = describeError(error, request.id);
    if (error instanceof AppError && error.retryAfterSeconds)
      reply.header('Retry-After', String(error.retryAfterSeconds));
    return reply.code(getHTTPStatusCodeFromError(error)).send(restErrorBody(error.code, message, data));
  }
}

export function registerRestApi(app: FastifyInstance, deps: Deps, routes: RestRoute[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: `${REST_PREFIX}${route.url}`,
      handler: (request, reply) => answer(deps, route, request, reply),
    });
  }
}
