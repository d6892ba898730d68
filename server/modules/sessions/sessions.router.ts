import { OK } from '#shared/schemas/common.ts';
import { RevokeSessionInputSchema } from '#shared/schemas/sessions.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { listSessions, revokeOtherSessions, revokeSession } from './sessions.service.ts';

export const sessionsRouter = router({
  list: authedProcedure.query(({ ctx }) => listSessions(ctx.em, ctx.deps, ctx.auth)),

  revoke: authedProcedure.input(RevokeSessionInputSchema).mutation(async ({ ctx, input }) => {
    await revokeSession(ctx.em, ctx.deps, ctx.auth, input.sessionId, ctx.client);
    return OK;
  }),

  revokeOthers: authedProcedure.mutation(async ({ ctx }) => {
    await revokeOtherSessions(ctx.em, ctx.deps, ctx.auth, ctx.client);
    return OK;
  }),
});
