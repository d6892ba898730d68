import type { FastifyInstance } from 'fastify';
import type { DatabaseConfig } from '#server/config.ts';
import { isDatabaseReady, type Orm } from '#server/db/orm.ts';

export function registerHealthRoutes(app: FastifyInstance, orm: Orm, database: DatabaseConfig): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (await isDatabaseReady(orm, database)) return { status: 'ok', checks: { database: 'ok' } };
    return reply.code(503).send({ status: 'unavailable', checks: { database: 'failing' } });
  });
}
