import { authRouter } from '#server/modules/auth/auth.router.ts';
import { profileRouter } from '#server/modules/profile/profile.router.ts';
import { router } from './init.ts';

export const appRouter = router({
  auth: authRouter,
  profile: profileRouter,
});

export type AppRouter = typeof appRouter;
