import { PreferencesSchema, PreferencesUpdateInputSchema } from '#shared/schemas/preferences.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { getPreferences, updatePreferences } from './preferences.service.ts';

export const preferencesRouter = router({
  get: authedProcedure
    .output(PreferencesSchema)
    .query(async ({ ctx }) => getPreferences(ctx.em, await ctx.auth.loadUser())),
  update: authedProcedure
    .input(PreferencesUpdateInputSchema)
    .output(PreferencesSchema)
    .mutation(async ({ ctx, input }) => updatePreferences(ctx.em, await ctx.auth.loadUser(), input)),
});
