import { AppError } from '#server/lib/app-error.ts';
import type { Context } from '#server/trpc/context.ts';

/**
 * Cookie-authenticated mutations need an Origin we serve (API.md §3): SameSite=Strict already
 * keeps the cookie off cross-site requests; this refuses the rest, including a missing Origin.
 */
export function requireTrustedOrigin(ctx: Context): void {
  const origin = ctx.req.headers.origin;
  if (!origin || !ctx.deps.config.allowedOrigins.includes(origin)) {
    throw new AppError('FORBIDDEN', 'This request did not come from a page of this site.');
  }
}
