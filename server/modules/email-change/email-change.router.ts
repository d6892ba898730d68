import { ChangeEmailInputSchema, ConfirmEmailChangeInputSchema } from '#shared/schemas/account.ts';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import { authedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { confirmEmailChange, requestEmailChange } from './email-change.service.ts';

export const emailChangeRouter = router({
  change: authedProcedure
    .input(ChangeEmailInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await requestEmailChange(ctx.em, ctx.deps, await ctx.auth.loadUser(), input, ctx.client);
      return OK;
    }),

  confirmChange: publicProcedure
    .input(ConfirmEmailChangeInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await confirmEmailChange(ctx.em, ctx.deps, input.token, ctx.client);
      return OK;
    }),
});
