import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from '#server/config.ts';
import { HttpRefusal } from './error-handler.ts';

export const CLIENT_DIST = path.resolve(import.meta.dirname, '../../dist/client');

/** Settings the SPA needs before its first request, as a meta tag (the CSP forbids inline scripts). */
function clientConfig(config: Config): string {
  const json = JSON.stringify({
    passwordMinLength: config.passwordMinLength,
    registrationMode: config.registrationMode,
  });
  return `<meta name="latchkey-config" content="${json.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`;
}

function loadIndexHtml(config: Config): string | null {
  const file = path.join(CLIENT_DIST, 'index.html');
  if (!fs.existsSync(file)) return null;
  return fs.readFileSync(file, 'utf8').replace('</head>', `${clientConfig(config)}</head>`);
}

/** Built assets, and index.html for every other GET: the SPA renders its own not-found page. */
export async function registerSpa(app: FastifyInstance, config: Config): Promise<void> {
  const indexHtml = loadIndexHtml(config);
  if (indexHtml) {
    await app.register(fastifyStatic, {
      root: CLIENT_DIST,
      index: false,
      // One route per built file, found at start: '/' and every SPA route fall through to index.html.
      wildcard: false,
      setHeaders(res, filePath) {
        // Vite names built assets by content hash: they never change under the same name.
        if (filePath.includes(`${path.sep}assets${path.sep}`))
          res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    const isPage = request.method === 'GET' || request.method === 'HEAD';
    if (
      !isPage ||
      request.url.startsWith('/trpc') ||
      request.url.startsWith('/api/') ||
      request.url.startsWith('/media/')
    ) {
      // In the error shape of every other API answer (http/error-handler.ts).
      throw new HttpRefusal(404, 'NOT_FOUND', 'There is nothing at this address.');
    }
    reply.header('Cache-Control', 'no-cache');
    if (!indexHtml)
      return reply.code(503).type('text/plain').send('The web app is not built yet: run `npm run build`.');
    return reply.type('text/html; charset=utf-8').send(indexHtml);
  });
}
