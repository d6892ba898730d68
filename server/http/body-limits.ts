import type { FastifyInstance } from 'fastify';
import { UPLOAD_BODY_LIMIT_BYTES } from '#shared/constants.ts';

class BodyLimitError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * API.md §1: an upload body over 5 MiB is refused before parsing. JSON bodies are bounded by
 * Fastify's bodyLimit, but tRPC's multipart parser hands the raw request stream on, which no
 * limit covers: bound it by its declared length (Node never reads past Content-Length).
 */
export function registerBodyLimits(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!request.headers['content-type']?.toLowerCase().startsWith('multipart/')) return;
    const declared = request.headers['content-length'];
    if (declared === undefined || !/^\d+$/.test(declared)) throw new BodyLimitError(411, 'An upload must declare its Content-Length.');
    if (Number(declared) > UPLOAD_BODY_LIMIT_BYTES) throw new BodyLimitError(413, 'The request body is too large.');
  });
}
