import { PasswordConfirmationInputSchema } from '#shared/schemas/account.ts';
import { OK } from '#shared/schemas/common.ts';
import { MfaEnableInputSchema } from '#shared/schemas/mfa.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { disableMfa, enableMfa, regenerateRecoveryCodes, setupMfa } from './mfa.service.ts';

export const mfaRouter = router({
  setup: authedProcedure.mutation(async ({ ctx }) => setupMfa(ctx.em, ctx.deps, await ctx.auth.loadUser())),

  enable: authedProcedure
    .input(MfaEnableInputSchema)
    .mutation(async ({ ctx, input }) => enableMfa(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.code, ctx.client)),

  disable: authedProcedure.input(PasswordConfirmationInputSchema).mutation(async ({ ctx, input }) => {
    await disableMfa(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.password, ctx.client);
    return OK;
  }),

  regenerateRecoveryCodes: authedProcedure
    .input(PasswordConfirmationInputSchema)
    .mutation(async ({ ctx, input }) =>
      regenerateRecoveryCodes(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.password, ctx.client),
    ),
});
