import type { FastifyInstance } from 'fastify';
import { UPLOAD_BODY_LIMIT_BYTES } from '#shared/constants.ts';
import { HttpRefusal } from './error-handler.ts';

const UPLOAD_PATH = '/trpc/profile.uploadAvatar';

/**
 * API.md §1: an upload body over 5 MiB is refused before parsing. JSON bodies are bounded by
 * Fastify's bodyLimit, but tRPC's multipart parser hands the raw request stream on, which no
 * limit covers: bound it by its declared length (Node never reads past Content-Length).
 * Too large for profile.uploadAvatar is IMAGE_TOO_LARGE; multipart sent anywhere else is not an
 * image, so it stays INVALID_INPUT.
 */
export function registerBodyLimits(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!request.headers['content-type']?.toLowerCase().startsWith('multipart/')) return;
    const declared = request.headers['content-length'];
    if (declared === undefined || !/^\d+$/.test(declared))
      throw new HttpRefusal(411, 'INVALID_INPUT', 'An upload must declare its Content-Length.');
    if (Number(declared) > UPLOAD_BODY_LIMIT_BYTES) {
      const isAvatarUpload = request.url.split('?')[0] === UPLOAD_PATH;
      throw isAvatarUpload
        ? new HttpRefusal(413, 'IMAGE_TOO_LARGE', 'Choose an image of at most 5 MB.')
        : new HttpRefusal(413, 'INVALID_INPUT', 'The request body is too large.');
    }
  });
}
