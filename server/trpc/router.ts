import { adminRouter } from '#server/modules/admin/admin.router.ts';
import { authRouter } from '#server/modules/auth/auth.router.ts';
import { flyersRouter } from '#server/modules/flyers/flyers.router.ts';
import { noticesRouter } from '#server/modules/notices/notices.router.ts';
import { orgsRouter } from '#server/modules/orgs/orgs.router.ts';
import { preferencesRouter } from '#server/modules/preferences/preferences.router.ts';
import { privacyRouter } from '#server/modules/privacy/privacy.router.ts';
import { profileRouter } from '#server/modules/profile/profile.router.ts';
import { systemRouter } from '#server/modules/system/system.router.ts';
import { router } from './init.ts';

export const appRouter = router({
  auth: authRouter,
  profile: profileRouter,
  privacy: privacyRouter,
  preferences: preferencesRouter,
  flyers: flyersRouter,
  orgs: orgsRouter,
  notices: noticesRouter,
  admin: adminRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
