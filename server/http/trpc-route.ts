import type { AnyRouter } from '@trpc/server';
import { incomingMessageToRequest } from '@trpc/server/adapters/node-http';
import type { FastifyHandlerOptions } from '@trpc/server/adapters/fastify';
import { resolveResponse } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// Only the path and query of the URL are read: the origin is a placeholder.
const ORIGIN = 'http://localhost';

/** A request's headers as tRPC's `resolveResponse` reads them (`get`, `has`), straight from Node's. */
class NodeHeaders {
  constructor(private readonly raw: FastifyRequest['headers']) {}
  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
}

/**
 * What `resolveResponse` reads of a call whose body Fastify has read as text (JSON) or that has
 * none. tRPC's own adapter builds a Fetch `Request` for every call (its headers copied, the body
 * put back into a stream to be read again) and aborts its signal when the answer is sent, which
 * allocates an error with a stack; with the answer sent as a stream, over 40% of a session check's
 * CPU (docs/benchmarks.md, change 23). The signal here aborts only if the client leaves first.
 */
class TextBodyRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: NodeHeaders;
  #controller?: AbortController;

  constructor(
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
  ) {
    this.method = request.method;
    this.url = ORIGIN + request.url;
    this.headers = new NodeHeaders(request.headers);
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = (this.#controller = new AbortController());
      const response = this.reply.raw;
      response.once('close', () => {
        if (!response.writableFinished) controller.abort();
      });
    }
    return this.#controller.signal;
  }

  async text(): Promise<string> {
    return (this.request.body as string | undefined) ?? '';
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

/** The Fetch `Request` tRPC's adapter would build: for bodies it reads itself (multipart, as a stream). */
function fetchRequestOf(request: FastifyRequest, reply: FastifyReply): Request {
  Object.assign(request.raw, { body: request.body });
  return incomingMessageToRequest(request.raw, reply.raw, { maxBodySize: null });
}

/**
 * Serves the router's procedures at `prefix/<path>` as tRPC's Fastify plugin does (the same
 * options, body parsers, batching and answers), through `resolveResponse` with a lighter request,
 * and sends a finished answer as one string instead of a stream.
 */
export async function registerTrpcRoute<TRouter extends AnyRouter>(
  app: FastifyInstance,
  prefix: string,
  options: FastifyHandlerOptions<TRouter, FastifyRequest, FastifyReply>,
): Promise<void> {
  // A scope of its own, so that its body parsers apply to these routes only.
  await app.register(
    async (scope) => {
      // JSON as text, for tRPC to parse; multipart as the request's stream, for its FormData parser.
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
      scope.removeContentTypeParser('multipart/form-data');
      scope.addContentTypeParser('multipart/form-data', (_request, payload, done) => done(null, payload));
      scope.all<{ Params: { path: string } }>('/:path', (request, reply) => answer(options, request, reply));
    },
    { prefix },
  );
}

async function answer<TRouter extends AnyRouter>(
  options: FastifyHandlerOptions<TRouter, FastifyRequest, FastifyReply>,
  request: FastifyRequest<{ Params: { path: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const textBody = request.body === undefined || typeof request.body === 'string';
  const response = await resolveResponse({
    ...options,
    req: (textBody ? new TextBodyRequest(request, reply) : fetchRequestOf(request, reply)) as Request,
    path: request.params.path,
    error: null,
    createContext: async ({ info }) => options.createContext?.({ req: request, res: reply, info }),
    onError: (failure) => options.onError?.({ ...failure, req: request }),
  });
  const type = response.headers.get('content-type') ?? '';
  // An answer tRPC writes as it goes: a batch asked for as JSON Lines (chunked), or events.
  if (response.headers.has('transfer-encoding') || type.startsWith('text/event-stream')) return reply.send(response);
  reply.status(response.status);
  // Each Set-Cookie comes on its own, and Fastify adds it beside those already set.
  response.headers.forEach((value, key) => reply.header(key, value));
  // tRPC answers a refused batch with a JSON body it leaves labelled text/plain.
  if (type.startsWith('text/plain')) reply.header('content-type', 'application/json');
  return reply.send(await response.text());
}
