import { PasswordConfirmationInputSchema } from '#shared/schemas/account.ts';
import { OK } from '#shared/schemas/common.ts';
import { DeleteAccountInputSchema, PrivacyUpdateInputSchema } from '#shared/schemas/privacy.ts';
import { clearRefreshCookie } from '#server/modules/sessions/refresh-cookie.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { deactivateAccount, deleteAccount, exportAccountData } from './account-data.service.ts';
import { getPrivacySettings, updatePrivacySettings } from './privacy.service.ts';

export const privacyRouter = router({
  get: authedProcedure.query(({ ctx }) => getPrivacySettings(ctx.em, ctx.auth.user)),
  update: authedProcedure.input(PrivacyUpdateInputSchema).mutation(({ ctx, input }) => updatePrivacySettings(ctx.em, ctx.auth.user, input)),

  exportData: authedProcedure.query(({ ctx }) => exportAccountData(ctx.em, ctx.auth.user)),

  deactivateAccount: authedProcedure.input(PasswordConfirmationInputSchema).mutation(async ({ ctx, input }) => {
    await deactivateAccount(ctx.em, ctx.deps, ctx.auth, input.password, ctx.client);
    clearRefreshCookie(ctx.res, ctx.deps.config);
    return OK;
  }),

  deleteAccount: authedProcedure.input(DeleteAccountInputSchema).mutation(async ({ ctx, input }) => {
    await deleteAccount(ctx.em, ctx.deps, ctx.auth, input, ctx.client);
    clearRefreshCookie(ctx.res, ctx.deps.config);
    return OK;
  }),
});
