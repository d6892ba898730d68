import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { ErrorReason } from '#shared/errors.ts';
import { INTERNAL_MESSAGE } from '#server/trpc/error-format.ts';

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
  const message = status === 500 ? INTERNAL_MESSAGE : (own?.message ?? (status === 413 ? 'The request body is too large.' : 'The request could not be read.'));
  const reason: ErrorReason = status === 500 ? 'INTERNAL' : (own?.reason ?? 'INVALID_INPUT');
  return reply.code(status).send({
    error: {
      message,
      code: TRPC_ERROR_CODES_BY_KEY[code],
      data: { code, httpStatus: status, reason, ...(status === 500 ? { requestId: request.id } : {}) },
    },
  });
}
