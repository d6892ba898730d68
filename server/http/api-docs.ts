import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '#server/config.ts';
import { openApiDocument } from './openapi.ts';
import type { RestRoute } from './rest-routes.ts';

// The viewer's files come from the swagger-ui-dist package: no CDN. Its initializer is a file of
// our own (the CSP of API.md §7 allows no inline script), and BaseLayout needs no inline style.
const VIEWER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Latchkey API reference</title>
    <link rel="stylesheet" href="/docs/api/swagger-ui.css" />
  </head>
  <body>
    <main id="api-reference"></main>
    <script src="/docs/api/swagger-ui-bundle.js"></script>
    <script src="/docs/api/viewer.js"></script>
  </body>
</html>
`;

const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#api-reference',
  layout: 'BaseLayout',
  deepLinking: true,
});
`;

/** `GET /openapi.json` and the self-hosted reference at `GET /docs/api` (API.md §16). */
export function registerApiDocs(
  app: FastifyInstance,
  config: Pick<Config, 'publicUrl'>,
  routes: RestRoute[],
  prefix: string,
): void {
  // Written on its first request, not at start-up.
  let document: string | undefined;
  app.get('/openapi.json', (_request, reply) => {
    document ??= JSON.stringify(openApiDocument(routes, { publicUrl: config.publicUrl, prefix, version: '1' }));
    return reply.type('application/json; charset=utf-8').send(document);
  });
  app.get('/docs/api', (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/api/viewer.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(INITIALIZER));
  const directory = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  for (const [file, type] of Object.entries(VIEWER_FILES)) {
    let contents: Promise<Buffer> | undefined;
    app.get(`/docs/api/${file}`, async (_request, reply) => {
      contents ??= readFile(path.join(directory, file));
      return reply
        .type(type)
        .header('Cache-Control', 'public, max-age=3600')
        .send(await contents);
    });
  }
}
