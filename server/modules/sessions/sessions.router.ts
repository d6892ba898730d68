import { z } from 'zod';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import { RevokeSessionInputSchema, SessionInfoSchema } from '#shared/schemas/sessions.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { listSessions, revokeOtherSessions, revokeSession } from './sessions.service.ts';

export const sessionsRouter = router({
  list: authedProcedure.output(z.array(SessionInfoSchema)).query(({ ctx }) => listSessions(ctx.em, ctx.deps, ctx.auth)),

  revoke: authedProcedure
    .input(RevokeSessionInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await revokeSession(ctx.em, ctx.deps, ctx.auth, input.sessionId, ctx.client);
      return OK;
    }),

  revokeOthers: authedProcedure.output(OkSchema).mutation(async ({ ctx }) => {
    await revokeOtherSessions(ctx.em, ctx.deps, ctx.auth, ctx.client);
    return OK;
  }),
});
