import type { FastifyInstance } from 'fastify';
import type { Orm } from '#server/db/orm.ts';
import { readAvatar } from '#server/modules/profile/avatar-store.ts';

/** API.md §7: avatars by content-addressed name, cached for a year (a new picture is a new name). */
export function registerMediaRoutes(app: FastifyInstance, orm: Orm): void {
  app.get<{ Params: { file: string } }>('/media/avatars/:file', async (request, reply) => {
    const webp = await readAvatar(orm.em.fork(), request.params.file);
    if (!webp) return reply.callNotFound();
    return reply
      .header('Content-Type', 'image/webp')
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('X-Content-Type-Options', 'nosniff')
      .send(webp);
  });
}
