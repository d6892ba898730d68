import { PreferencesUpdateInputSchema } from '#shared/schemas/preferences.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { getPreferences, updatePreferences } from './preferences.service.ts';

export const preferencesRouter = router({
  get: authedProcedure.query(({ ctx }) => getPreferences(ctx.em, ctx.auth.user)),
  update: authedProcedure.input(PreferencesUpdateInputSchema).mutation(({ ctx, input }) => updatePreferences(ctx.em, ctx.auth.user, input)),
});
