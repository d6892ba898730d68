import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '#server/modules/keys/signing-keys.ts';

export function registerJwksRoute(app: FastifyInstance, keys: KeyRing): void {
  // The ring changes when it reloads (a rotation): read it on every request.
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=300').type('application/json').send(JSON.stringify(keys.jwks)),
  );
}
