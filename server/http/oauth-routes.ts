import type { EntityManager } from '@mikro-orm/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { newSecret } from '#server/lib/ids.ts';
import { completeFederatedSignIn, type FederatedOutcome } from '#server/modules/identities/federated-sign-in.ts';
import type { OAuthFlow } from '#server/modules/identities/oauth-flow.entity.ts';
import { callbackUrlOf, FlowRefused, startFlow, takeFlow } from '#server/modules/identities/oauth-flows.ts';
import {
  ProviderError,
  type ProviderClient,
  type ProviderProfile,
} from '#server/modules/identities/provider-clients.ts';
import type { RateLimitRule } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import { setRefreshCookie } from '#server/modules/sessions/refresh-cookie.ts';
import { clientOf } from './client-ip.ts';

const FLOW_COOKIE_SECONDS = 10 * 60; // as long as a flow lives

type Params = { provider: string };
type StartQuery = { returnTo?: string; intent?: string; ticket?: string };

// API.md §12: one cookie per browser binds its flows to it, scoped to /auth.
export const browserCookieName = (deps: Deps) =>
  deps.config.secureCookies ? '__Secure-oauth_browser' : 'oauth_browser';

/** The browser's flow cookie, made when it has none; SameSite=None where the answer is a cross-site POST. */
export function bindBrowser(request: FastifyRequest, reply: FastifyReply, deps: Deps, crossSitePost: boolean): string {
  const browser = request.cookies[browserCookieName(deps)] || newSecret();
  reply.setCookie(browserCookieName(deps), browser, {
    httpOnly: true,
    path: '/auth',
    secure: deps.config.secureCookies,
    sameSite: crossSitePost && deps.config.secureCookies ? 'none' : 'lax',
    maxAge: FLOW_COOKIE_SECONDS,
  });
  return browser;
}

/** Sets the session's cookies when someone signed in, and goes where the outcome says. */
export function deliverOutcome(request: FastifyRequest, reply: FastifyReply, deps: Deps, outcome: FederatedOutcome) {
  if (outcome.signedIn) {
    const { refresh, authSession } = outcome.signedIn;
    setRefreshCookie(reply, deps.config, refresh.refreshToken, refresh.maxAgeSeconds);
    deps.devices.remember(request, reply, authSession.user.id);
  }
  return reply.header('Cache-Control', 'no-store').redirect(outcome.redirect, 302);
}

/** One OpenID Connect or OAuth sign-in: a configured provider (§12) or an organization's connection (§15). */
export type FlowTarget = {
  client: ProviderClient;
  flowKey: string;
  callbackUrl: string;
  /** Where a failure sends the browser, with its reason. */
  failure: (reason: 'access_denied' | 'provider_error' | 'invalid_state' | 'RATE_LIMITED') => string;
  finish(
    em: EntityManager,
    input: { flow: OAuthFlow; profile: ProviderProfile; client: Client },
  ): Promise<FederatedOutcome>;
  /** The limit of starts for this caller. */
  startLimit(client: Client): { rule: RateLimitRule; key: string };
  /** Called on every refusal of a callback, with its reason for the log (an SSO connection records an event). */
  onFailure?(em: EntityManager, client: Client, reason: string): Promise<void>;
};

type Resolve = (em: EntityManager, id: string) => Promise<FlowTarget | null>;

/**
 * The start and callback routes of one kind of flow, under `prefix` (`/auth/oauth/:provider` or
 * `/auth/sso/:provider`). Every failure is a redirect the SPA explains.
 */
export function registerFlowRoutes(
  app: FastifyInstance,
  deps: Deps,
  prefix: string,
  resolve: Resolve,
  /** Where a start or callback for an unknown provider or connection goes. */
  unknown = '/login?error=provider_error',
): void {
  app.get<{ Params: Params; Querystring: StartQuery }>(`${prefix}/start`, async (request, reply) => {
    const em = deps.orm.em.fork();
    const target = await resolve(em, request.params.provider);
    if (!target) return reply.redirect(unknown, 302);
    const intent = request.query.intent === 'link' ? 'link' : 'signin';
    const back = (reason: Parameters<FlowTarget['failure']>[0]) =>
      intent === 'link' ? `/settings/security?error=${reason}` : target.failure(reason);
    try {
      const { provider } = target.client;
      // A provider that answers by a cross-site POST needs SameSite=None, which only https allows.
      const crossSitePost = provider.kind === 'oidc' && provider.responseMode === 'form_post';
      const browser = bindBrowser(request, reply, deps, crossSitePost);
      const caller = clientOf(request, deps.config.trustProxy);
      const url = await startFlow(em, deps, {
        limit: target.startLimit(caller),
        client: target.client,
        flowKey: target.flowKey,
        callbackUrl: target.callbackUrl,
        intent,
        returnTo: typeof request.query.returnTo === 'string' ? request.query.returnTo : undefined,
        ticket: typeof request.query.ticket === 'string' ? request.query.ticket : undefined,
        browser,
        caller,
      });
      return reply.header('Cache-Control', 'no-store').redirect(url.href, 302);
    } catch (error) {
      if (error instanceof FlowRefused)
        return reply.redirect(
          intent === 'link' ? `/settings/security?error=${error.error}` : back('invalid_state'),
          302,
        );
      if (error instanceof AppError && error.reason === 'RATE_LIMITED')
        return reply.redirect(back('RATE_LIMITED'), 302);
      request.log.warn({ err: error, provider: target.flowKey }, 'provider sign-in could not start');
      return reply.redirect(back('provider_error'), 302);
    }
  });

  const callback = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const em = deps.orm.em.fork();
    const target = await resolve(em, request.params.provider);
    if (!target) return reply.redirect(unknown, 302);
    const params =
      request.method === 'POST'
        ? new URLSearchParams((request.body ?? {}) as Record<string, string>)
        : new URL(request.url, 'http://callback.invalid').searchParams;
    reply.header('Cache-Control', 'no-store');
    const client = clientOf(request, deps.config.trustProxy);
    const refuse = async (location: string, reason: string) => {
      await target.onFailure?.(em, client, reason);
      return reply.redirect(location, 302);
    };
    try {
      const flow = await takeFlow(em, deps, {
        providerId: target.flowKey,
        state: params.get('state'),
        browser: request.cookies[browserCookieName(deps)],
      });
      if (!flow) return await refuse(target.failure('invalid_state'), 'unknown, spent or another browser’s state');
      const back = (reason: 'access_denied' | 'provider_error') =>
        flow.intent === 'link' ? `/settings/security?error=${reason}` : target.failure(reason);
      if (params.has('error'))
        return await refuse(
          back(params.get('error') === 'access_denied' ? 'access_denied' : 'provider_error'),
          `the provider answered ${params.get('error')}`,
        );
      const callbackUrl = new URL(target.callbackUrl);
      for (const [name, value] of params) if (name !== 'user') callbackUrl.searchParams.append(name, value);
      let profile;
      try {
        profile = await target.client.profile({
          callbackUrl,
          state: params.get('state')!,
          nonce: flow.nonce ?? null,
          codeVerifier: flow.codeVerifier,
          user: params.get('user') ?? undefined,
        });
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        request.log.warn({ err: error.cause ?? error, provider: target.flowKey }, 'provider refused the sign-in');
        return await refuse(back(error.code), 'the provider refused the sign-in');
      }
      return deliverOutcome(request, reply, deps, await target.finish(em, { flow, profile, client }));
    } catch (error) {
      request.log.error({ err: error, provider: target.flowKey }, 'provider sign-in failed');
      return refuse(target.failure('provider_error'), 'the sign-in failed');
    }
  };
  app.get(`${prefix}/callback`, callback);
  app.post(`${prefix}/callback`, callback);
}

/** The configured providers' routes (API.md §12). */
export function registerOAuthRoutes(app: FastifyInstance, deps: Deps, clients: Map<string, ProviderClient>): void {
  // Apple posts its answer as a form (response_mode=form_post), and so do SAML IdPs (API.md §15).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 256 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  registerFlowRoutes(app, deps, '/auth/oauth/:provider', async (_em, id) => {
    const client = clients.get(id);
    if (!client) return null;
    const provider = { id: client.provider.id, name: client.provider.name };
    return {
      client,
      flowKey: provider.id,
      callbackUrl: callbackUrlOf(deps, provider.id),
      failure: (reason) => `/login?error=${encodeURIComponent(reason)}`,
      startLimit: (caller) => ({ rule: RATE_LIMITS.providerStartPerIp, key: caller.ip }),
      finish: (em, input) => completeFederatedSignIn(em, deps, { ...input, provider }),
    };
  });
}
