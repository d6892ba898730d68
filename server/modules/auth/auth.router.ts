import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  AcceptInvitationInputSchema,
  AuthSessionSchema,
  LoginInputSchema,
  MeSchema,
  RegisterInputSchema,
  RegisterResultSchema,
  ResendVerificationInputSchema,
  type SignInResult,
  SignInResultSchema,
  VerifyEmailInputSchema,
} from '#shared/schemas/auth.ts';
import { VerifyMfaInputSchema } from '#shared/schemas/mfa.ts';
import { InvitationDetailsSchema, InvitationTokenInputSchema } from '#shared/schemas/orgs.ts';
import { SecurityEventPageSchema, SecurityEventsInputSchema } from '#shared/schemas/sessions.ts';
import { AppError } from '#server/lib/app-error.ts';
import { listSecurityEvents } from '#server/modules/audit/security-events.ts';
import { emailChangeRouter } from '#server/modules/email-change/email-change.router.ts';
import { acceptInvitationLink, invitationDetails } from '#server/modules/invitations/invitation-link.ts';
import { identitiesRouter, oauthRouter, providersProcedure } from '#server/modules/identities/identities.router.ts';
import { mfaRouter } from '#server/modules/mfa/mfa.router.ts';
import { passkeysRouter } from '#server/modules/passkeys/passkeys.router.ts';
import { passwordRouter } from '#server/modules/passwords/password.router.ts';
import { sessionsRouter } from '#server/modules/sessions/sessions.router.ts';
import { requireTrustedOrigin } from '#server/modules/sessions/origin-check.ts';
import { deliverSession } from '#server/modules/sessions/deliver-session.ts';
import { clearRefreshCookie, readRefreshCookie } from '#server/modules/sessions/refresh-cookie.ts';
import { endSession, refreshSession } from '#server/modules/sessions/sessions.service.ts';
import { authSsoRouter } from '#server/modules/sso/sso.router.ts';
import { authedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { login, register, resendVerification, verifyEmail, verifyMfa } from './auth.service.ts';

export const authRouter = router({
  register: publicProcedure
    .input(RegisterInputSchema)
    .output(RegisterResultSchema)
    .mutation(async ({ ctx, input }) => {
      await register(ctx.em, ctx.deps, input, ctx.client);
      return { status: 'verification_sent' as const };
    }),

  resendVerification: publicProcedure
    .input(ResendVerificationInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await resendVerification(ctx.em, ctx.deps, input.email, ctx.client);
      return OK;
    }),

  verifyEmail: publicProcedure
    .input(VerifyEmailInputSchema)
    .output(AuthSessionSchema)
    .mutation(async ({ ctx, input }) =>
      deliverSession(ctx, await verifyEmail(ctx.em, ctx.deps, input.token, ctx.client)),
    ),

  login: publicProcedure
    .input(LoginInputSchema)
    .output(SignInResultSchema)
    .mutation(async ({ ctx, input }): Promise<SignInResult> => {
      const outcome = await login(ctx.em, ctx.deps, input, ctx.client, ctx.deps.devices.knownAccounts(ctx.req));
      if (outcome.status === 'mfa_required') return outcome;
      return { status: 'signed_in', session: deliverSession(ctx, outcome.signedIn) };
    }),

  verifyMfa: publicProcedure
    .input(VerifyMfaInputSchema)
    .output(AuthSessionSchema)
    .mutation(async ({ ctx, input }) => deliverSession(ctx, await verifyMfa(ctx.em, ctx.deps, input, ctx.client))),

  refresh: publicProcedure.output(AuthSessionSchema).mutation(async ({ ctx }) => {
    requireTrustedOrigin(ctx);
    const token = readRefreshCookie(ctx.req, ctx.deps.config);
    try {
      if (!token) throw new AppError('UNAUTHENTICATED', 'You are not signed in.');
      return deliverSession(ctx, await refreshSession(ctx.em, ctx.deps, token, ctx.client));
    } catch (error) {
      if (error instanceof AppError && error.reason === 'UNAUTHENTICATED') clearRefreshCookie(ctx.res, ctx.deps.config);
      throw error;
    }
  }),

  logout: publicProcedure.output(OkSchema).mutation(async ({ ctx }) => {
    const refreshToken = readRefreshCookie(ctx.req, ctx.deps.config);
    if (refreshToken) requireTrustedOrigin(ctx);
    await endSession(ctx.em, ctx.deps, { refreshToken, accessToken: ctx.bearerToken }, ctx.client);
    clearRefreshCookie(ctx.res, ctx.deps.config);
    return OK;
  }),

  me: authedProcedure.output(MeSchema).query(({ ctx }) => ctx.auth.me()),

  invitationDetails: publicProcedure
    .input(InvitationTokenInputSchema)
    .output(InvitationDetailsSchema)
    .query(({ ctx, input }) => invitationDetails(ctx.em, ctx.deps, input.token)),

  acceptInvitation: publicProcedure
    .input(AcceptInvitationInputSchema)
    .output(AuthSessionSchema)
    .mutation(async ({ ctx, input }) =>
      deliverSession(ctx, await acceptInvitationLink(ctx.em, ctx.deps, input, ctx.client)),
    ),

  password: passwordRouter,
  email: emailChangeRouter,
  sessions: sessionsRouter,
  mfa: mfaRouter,

  securityEvents: authedProcedure
    .input(SecurityEventsInputSchema)
    .output(SecurityEventPageSchema)
    .query(async ({ ctx, input }) => listSecurityEvents(ctx.em, await ctx.auth.loadUser(), input)),

  providers: providersProcedure,
  oauth: oauthRouter,
  identities: identitiesRouter,
  passkeys: passkeysRouter,
  sso: authSsoRouter,
});
