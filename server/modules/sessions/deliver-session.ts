import type { AuthSession } from '#shared/schemas/auth.ts';
import type { Context } from '#server/trpc/context.ts';
import { setRefreshCookie } from './refresh-cookie.ts';
import type { SignedIn } from './sessions.service.ts';

/**
 * Every procedure that returns an AuthSession also sets the refresh cookie (API.md §3) and adds
 * the account to this browser's device cookie (API.md §6).
 */
export function deliverSession(ctx: Context, signedIn: SignedIn): AuthSession {
  setRefreshCookie(ctx.res, ctx.deps.config, signedIn.refresh.refreshToken, signedIn.refresh.maxAgeSeconds);
  ctx.deps.devices.remember(ctx.req, ctx.res, signedIn.authSession.user.id);
  return signedIn.authSession;
}
