import { ProfileGetInputSchema } from '#shared/schemas/profile.ts';
import { publicProcedure, router } from '#server/trpc/init.ts';
import { getPublicProfile } from './profile.service.ts';

export const profileRouter = router({
  get: publicProcedure.input(ProfileGetInputSchema).query(({ ctx, input }) => getPublicProfile(ctx.em, input.userId)),
});
