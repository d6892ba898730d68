import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { Client, Deps } from '#server/deps.ts';
import { clientOf } from '#server/http/client-ip.ts';

/**
 * What one HTTP request carries, shared by every call of a batch. The unit of work is not here:
 * each procedure call gets its own (init.ts), so the calls of a batch never share one.
 */
export type Context = {
  deps: Deps;
  req: CreateFastifyContextOptions['req'];
  res: CreateFastifyContextOptions['res'];
  requestId: string;
  client: Client;
  bearerToken: string | null;
};

export function contextFactory(deps: Deps) {
  return ({ req, res }: Pick<CreateFastifyContextOptions, 'req' | 'res'>): Context => {
    const authorization = req.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : null;
    return {
      deps,
      req,
      res,
      requestId: req.id,
      // X-Forwarded-For counts only as far as TRUST_PROXY says (API.md §11).
      client: clientOf(req, deps.config.trustProxy),
      bearerToken: bearer || null,
    };
  };
}
