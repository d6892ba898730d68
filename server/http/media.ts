import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { avatarDirectory, isAvatarFileName } from '#server/modules/profile/avatar-store.ts';

/** API.md §7: avatars by content-addressed name, cached for a year (a new picture is a new name). */
export function registerMediaRoutes(app: FastifyInstance, dataDir: string): void {
  const directory = avatarDirectory(dataDir);
  app.get<{ Params: { file: string } }>('/media/avatars/:file', async (request, reply) => {
    const { file } = request.params;
    if (!isAvatarFileName(file)) return reply.callNotFound();
    const fullPath = path.join(directory, file);
    const stat = await fs.promises.stat(fullPath).catch(() => null);
    if (!stat?.isFile()) return reply.callNotFound();
    return reply
      .header('Content-Type', 'image/webp')
      .header('Content-Length', stat.size)
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('X-Content-Type-Options', 'nosniff')
      .send(fs.createReadStream(fullPath));
  });
}
