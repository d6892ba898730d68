import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { EntityManager } from '@mikro-orm/sqlite';
import type { Client, Deps } from '#server/deps.ts';

export type Context = {
  deps: Deps;
  em: EntityManager;
  req: CreateFastifyContextOptions['req'];
  res: CreateFastifyContextOptions['res'];
  requestId: string;
  client: Client;
  bearerToken: string | null;
};

const MAX_USER_AGENT = 512;

export function contextFactory(deps: Deps) {
  return ({ req, res }: CreateFastifyContextOptions): Context => {
    const authorization = req.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : null;
    return {
      deps,
      // One unit of work per request: nothing leaks between requests through the identity map.
      em: deps.orm.em.fork() as EntityManager,
      req,
      res,
      requestId: req.id,
      // req.ip honours X-Forwarded-For only when TRUST_PROXY is set (Fastify's trustProxy).
      client: { ip: req.ip, userAgent: (req.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT) },
      bearerToken: bearer || null,
    };
  };
}
