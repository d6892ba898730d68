import { initTRPC } from '@trpc/server';
import type { EntityManager } from '@mikro-orm/core';
import { can, type Permission } from '#shared/roles.ts';
import { isTransientConflict } from '#server/db/transient.ts';
import { AppError } from '#server/lib/app-error.ts';
import { authenticateAccessToken } from '#server/modules/sessions/session-auth.ts';
import type { Context } from './context.ts';
import { describeError } from './error-format.ts';

const t = initTRPC.context<Context>().create({
  // Never a stack trace in a response, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error, ctx }) {
    const { message, data } = describeError(error, ctx?.requestId);
    return {
      ...shape,
      message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, ...data },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;
// Runs after the first: a deadlock or serialization failure seldom strikes one call three times.
const RETRIES_AFTER_CONFLICT = 2;

/**
 * Every call gets its own unit of work: the calls of one batch run concurrently, and on a shared
 * EntityManager one call's flush or transaction would take in another's changes (API.md §1).
 * A call that another transaction got in the way of (a deadlock, a serialization failure, SQLite
 * busy) runs again from the start on a fresh one: the database rolled its transaction back.
 */
async function onOwnUnitOfWork<R extends { ok: true } | { ok: false; error: { cause?: unknown } }>(
  ctx: Context,
  call: (em: EntityManager) => Promise<R>,
): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    const result = await call(ctx.deps.orm.em.fork() as EntityManager);
    if (result.ok || attempt === RETRIES_AFTER_CONFLICT || !isTransientConflict(result.error)) return result;
    ctx.req.log.warn(
      { err: result.error.cause ?? result.error, attempt: attempt + 1 },
      'call ran into another transaction; running it again',
    );
  }
}

export const publicProcedure = t.procedure.use(({ ctx, next }) => onOwnUnitOfWork(ctx, (em) => next({ ctx: { em } })));

/**
 * A valid access token whose session is live right now: revocation takes effect on the next
 * request. In the unit of work's middleware, since each level costs tRPC two copies of the call's
 * options and one of the context; the session check is a read, which no other transaction rolls back.
 */
export const authedProcedure = t.procedure.use(({ ctx, next }) =>
  onOwnUnitOfWork(ctx, async (em) => {
    const auth = ctx.bearerToken ? await authenticateAccessToken(em, ctx.deps, ctx.bearerToken) : null;
    if (!auth) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
    ctx.req.userId = auth.userId;
    return next({ ctx: { em, auth } });
  }),
);

/**
 * Authed, and the caller's role (read from the database with the live session, not from the
 * token's claim) grants the permission (shared/roles.ts).
 */
export function permittedProcedure(permission: Permission) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!can(ctx.auth.role, permission)) throw new AppError('FORBIDDEN', 'You do not have permission to do this.');
    return next();
  });
}
