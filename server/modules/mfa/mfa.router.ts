import { PasswordConfirmationInputSchema } from '#shared/schemas/account.ts';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import { MfaEnableInputSchema, MfaSetupSchema, RecoveryCodesSchema } from '#shared/schemas/mfa.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { disableMfa, enableMfa, regenerateRecoveryCodes, setupMfa } from './mfa.service.ts';

export const mfaRouter = router({
  setup: authedProcedure
    .output(MfaSetupSchema)
    .mutation(async ({ ctx }) => setupMfa(ctx.em, ctx.deps, await ctx.auth.loadUser())),

  enable: authedProcedure
    .input(MfaEnableInputSchema)
    .output(RecoveryCodesSchema)
    .mutation(async ({ ctx, input }) => enableMfa(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.code, ctx.client)),

  disable: authedProcedure
    .input(PasswordConfirmationInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await disableMfa(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.password, ctx.client);
      return OK;
    }),

  regenerateRecoveryCodes: authedProcedure
    .input(PasswordConfirmationInputSchema)
    .output(RecoveryCodesSchema)
    .mutation(async ({ ctx, input }) =>
      regenerateRecoveryCodes(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.password, ctx.client),
    ),
});
