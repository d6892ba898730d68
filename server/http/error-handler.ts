import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { ErrorReason } from '#shared/errors.ts';
import type { Config } from '#server/config.ts';
import { INTERNAL_MESSAGE } from '#server/trpc/error-format.ts';
import { REST_PREFIX, restErrorBody } from './rest-shape.ts';
import { securityHeaderList } from './security-headers.ts';

/** A refusal raised by our own hooks before tRPC runs, with its API.md reason. */
export class HttpRefusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: ErrorReason,
    message: string,
  ) {
    super(message);
  }
}

const TRPC_CODE_FOR_STATUS: Record<number, keyof typeof TRPC_ERROR_CODES_BY_KEY> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Errors raised by Fastify before tRPC runs (body too large, unsupported content type, bad JSON)
 * answered in tRPC's error shape, so clients handle every failure one way.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
}

/** Also for Fastify's own refusals before routing (an over-long path, say): see buildApp's frameworkErrors. */
export function sendError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const statusCode = (error as FastifyError).statusCode;
  const status = statusCode && statusCode >= 400 && statusCode < 500 ? statusCode : 500;
  if (status === 500) request.log.error({ err: error }, 'unhandled error');
  const code = TRPC_CODE_FOR_STATUS[status] ?? (status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
  const own = error instanceof HttpRefusal ? error : null;
  const message =
    status === 500
      ? INTERNAL_MESSAGE
      : (own?.message ?? (status === 413 ? 'The request body is too large.' : 'The request could not be read.'));
  const reason: ErrorReason = status === 500 ? 'INTERNAL' : (own?.reason ?? 'INVALID_INPUT');
  const requestId = status === 500 ? { requestId: request.id } : {};
  if (request.url.startsWith(`${REST_PREFIX}/`))
    return reply.code(status).send(restErrorBody(code, message, { reason, ...requestId }));
  return reply.code(status).send({
    error: {
      message,
      code: TRPC_ERROR_CODES_BY_KEY[code],
      data: { code, httpStatus: status, reason, ...requestId },
    },
  });
}

/**
 * Requests that Node's HTTP parser refuses before Fastify sees them (a URL or headers over its
 * 16 KiB, a malformed request line, a request too slow to arrive): answered as Fastify's own
 * handler does, straight on the socket before closing it, but in the API's error shape and with
 * the security headers (API.md §2, §7).
 */
export function clientErrorHandler(config: Pick<Config, 'secureCookies'>) {
  return function handleClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
    // A reset connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message =
      status === 431
        ? 'The address or headers of the request are too long.'
        : status === 408
          ? 'The request took too long to arrive.'
          : 'The request could not be read.';
    // As sendError answers a status tRPC has no code for (414, say): BAD_REQUEST, INVALID_INPUT.
    const data = { code: 'BAD_REQUEST', httpStatus: status, reason: 'INVALID_INPUT' satisfies ErrorReason };
    const body = JSON.stringify({ error: { message, code: TRPC_ERROR_CODES_BY_KEY.BAD_REQUEST, data } });
    this.log.trace({ err: error }, 'client error');
    if (socket.writable) {
      const headers: Array<[string, string]> = [
        ...securityHeaderList(config, ''),
        ['Cache-Control', 'no-store'],
        ['Content-Type', 'application/json; charset=utf-8'],
        ['Content-Length', String(Buffer.byteLength(body))],
        ['Connection', 'close'],
      ];
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}
