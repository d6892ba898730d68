import { PasswordConfirmationInputSchema } from '#shared/schemas/account.ts';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  AccountExportSchema,
  DeleteAccountInputSchema,
  PrivacySettingsSchema,
  PrivacyUpdateInputSchema,
} from '#shared/schemas/privacy.ts';
import { clearRefreshCookie } from '#server/modules/sessions/refresh-cookie.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { deactivateAccount, deleteAccount, exportAccountData } from './account-data.service.ts';
import { getPrivacySettings, updatePrivacySettings } from './privacy.service.ts';

export const privacyRouter = router({
  get: authedProcedure
    .output(PrivacySettingsSchema)
    .query(async ({ ctx }) => getPrivacySettings(ctx.em, await ctx.auth.loadUser())),
  update: authedProcedure
    .input(PrivacyUpdateInputSchema)
    .output(PrivacySettingsSchema)
    .mutation(async ({ ctx, input }) => updatePrivacySettings(ctx.em, await ctx.auth.loadUser(), input)),

  exportData: authedProcedure
    .output(AccountExportSchema)
    .query(async ({ ctx }) => exportAccountData(ctx.em, await ctx.auth.loadUser())),

  deactivateAccount: authedProcedure
    .input(PasswordConfirmationInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await deactivateAccount(ctx.em, ctx.deps, ctx.auth, input.password, ctx.client);
      clearRefreshCookie(ctx.res, ctx.deps.config);
      return OK;
    }),

  deleteAccount: authedProcedure
    .input(DeleteAccountInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await deleteAccount(ctx.em, ctx.deps, ctx.auth, input, ctx.client);
      clearRefreshCookie(ctx.res, ctx.deps.config);
      return OK;
    }),
});
