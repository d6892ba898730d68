import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '#server/modules/keys/signing-keys.ts';

export function registerJwksRoute(app: FastifyInstance, keys: KeyRing): void {
  const body = JSON.stringify(keys.jwks);
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=300').type('application/json').send(body),
  );
}
