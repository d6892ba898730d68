import { OK } from '#shared/schemas/common.ts';
import {
  LoginInputSchema,
  RegisterInputSchema,
  ResendVerificationInputSchema,
  VerifyEmailInputSchema,
  type AuthSession,
  type SignInResult,
} from '#shared/schemas/auth.ts';
import { AppError } from '#server/lib/app-error.ts';
import { requireTrustedOrigin } from '#server/modules/sessions/origin-check.ts';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from '#server/modules/sessions/refresh-cookie.ts';
import { endSession, refreshSession, type SignedIn } from '#server/modules/sessions/sessions.service.ts';
import { loadMe } from '#server/modules/users/me.ts';
import type { Context } from '#server/trpc/context.ts';
import { authedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { login, register, resendVerification, verifyEmail } from './auth.service.ts';

/** Every procedure that returns an AuthSession also sets the refresh cookie (API.md §3). */
function deliver(ctx: Context, signedIn: SignedIn): AuthSession {
  setRefreshCookie(ctx.res, ctx.deps.config, signedIn.refresh.refreshToken, signedIn.refresh.maxAgeSeconds);
  return signedIn.authSession;
}

export const authRouter = router({
  register: publicProcedure.input(RegisterInputSchema).mutation(async ({ ctx, input }) => {
    await register(ctx.em, ctx.deps, input, ctx.client);
    return { status: 'verification_sent' as const };
  }),

  resendVerification: publicProcedure.input(ResendVerificationInputSchema).mutation(async ({ ctx, input }) => {
    await resendVerification(ctx.em, ctx.deps, input.email);
    return OK;
  }),

  verifyEmail: publicProcedure
    .input(VerifyEmailInputSchema)
    .mutation(async ({ ctx, input }) => deliver(ctx, await verifyEmail(ctx.em, ctx.deps, input.token, ctx.client))),

  login: publicProcedure.input(LoginInputSchema).mutation(async ({ ctx, input }): Promise<SignInResult> => {
    const signedIn = await login(ctx.em, ctx.deps, input, ctx.client);
    return { status: 'signed_in', session: deliver(ctx, signedIn) };
  }),

  refresh: publicProcedure.mutation(async ({ ctx }) => {
    requireTrustedOrigin(ctx);
    const token = readRefreshCookie(ctx.req, ctx.deps.config);
    try {
      if (!token) throw new AppError('UNAUTHENTICATED', 'You are not signed in.');
      return deliver(ctx, await refreshSession(ctx.em, ctx.deps, token, ctx.client));
    } catch (error) {
      if (error instanceof AppError && error.reason === 'UNAUTHENTICATED') clearRefreshCookie(ctx.res, ctx.deps.config);
      throw error;
    }
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    const refreshToken = readRefreshCookie(ctx.req, ctx.deps.config);
    if (refreshToken) requireTrustedOrigin(ctx);
    await endSession(ctx.em, ctx.deps, { refreshToken, accessToken: ctx.bearerToken }, ctx.client);
    clearRefreshCookie(ctx.res, ctx.deps.config);
    return OK;
  }),

  me: authedProcedure.query(({ ctx }) => loadMe(ctx.em, ctx.auth.user)),
});
