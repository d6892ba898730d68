import { AuthSessionSchema } from '#shared/schemas/auth.ts';
import {
  ChangePasswordInputSchema,
  RequestPasswordResetInputSchema,
  ResetPasswordInputSchema,
} from '#shared/schemas/account.ts';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import { SetPasswordInputSchema } from '#shared/schemas/identities.ts';
import { deliverSession } from '#server/modules/sessions/deliver-session.ts';
import { authedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { changePassword } from './password-change.service.ts';
import { setPassword } from './password-set.service.ts';
import { requestPasswordReset, resetPassword } from './password-reset.service.ts';

export const passwordRouter = router({
  requestReset: publicProcedure
    .input(RequestPasswordResetInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await requestPasswordReset(ctx.em, ctx.deps, input.email, ctx.client);
      return OK;
    }),

  reset: publicProcedure
    .input(ResetPasswordInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await resetPassword(ctx.em, ctx.deps, input, ctx.client);
      return OK;
    }),

  change: authedProcedure
    .input(ChangePasswordInputSchema)
    .output(AuthSessionSchema)
    .mutation(async ({ ctx, input }) =>
      deliverSession(ctx, await changePassword(ctx.em, ctx.deps, ctx.auth, input, ctx.client)),
    ),

  set: authedProcedure
    .input(SetPasswordInputSchema)
    .output(AuthSessionSchema)
    .mutation(async ({ ctx, input }) =>
      deliverSession(ctx, await setPassword(ctx.em, ctx.deps, ctx.auth, input, ctx.client)),
    ),
});
