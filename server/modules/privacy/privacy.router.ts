import { PrivacyUpdateInputSchema } from '#shared/schemas/privacy.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { getPrivacySettings, updatePrivacySettings } from './privacy.service.ts';

export const privacyRouter = router({
  get: authedProcedure.query(({ ctx }) => getPrivacySettings(ctx.em, ctx.auth.user)),
  update: authedProcedure.input(PrivacyUpdateInputSchema).mutation(({ ctx, input }) => updatePrivacySettings(ctx.em, ctx.auth.user, input)),
});
