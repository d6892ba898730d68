import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { newSecret } from '#server/lib/ids.ts';
import { completeFederatedSignIn } from '#server/modules/identities/federated-sign-in.ts';
import { callbackUrlOf, FlowRefused, startFlow, takeFlow } from '#server/modules/identities/oauth-flows.ts';
import { ProviderError, type ProviderClient } from '#server/modules/identities/provider-clients.ts';
import { setRefreshCookie } from '#server/modules/sessions/refresh-cookie.ts';
import { clientOf } from './client-ip.ts';

const FLOW_COOKIE_SECONDS = 10 * 60; // as long as a flow lives

type Params = { provider: string };
type StartQuery = { returnTo?: string; intent?: string; ticket?: string };

// API.md §12: one cookie per browser binds its flows to it, scoped to /auth.
const browserCookieName = (deps: Deps) => (deps.config.secureCookies ? '__Secure-oauth_browser' : 'oauth_browser');

const toLogin = (reply: FastifyReply, error: string) =>
  reply.redirect(`/login?error=${encodeURIComponent(error)}`, 302);

/** The start and callback of each provider's sign-in (API.md §12); every failure is a redirect the SPA explains. */
export function registerOAuthRoutes(app: FastifyInstance, deps: Deps, clients: Map<string, ProviderClient>): void {
  // Apple posts its answer as a form (response_mode=form_post).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.get<{ Params: Params; Querystring: StartQuery }>('/auth/oauth/:provider/start', async (request, reply) => {
    const client = clients.get(request.params.provider);
    if (!client) return toLogin(reply, 'provider_error');
    const intent = request.query.intent === 'link' ? 'link' : 'signin';
    const browser = request.cookies[browserCookieName(deps)] || newSecret();
    try {
      const url = await startFlow(deps.orm.em.fork(), deps, {
        client,
        intent,
        returnTo: typeof request.query.returnTo === 'string' ? request.query.returnTo : undefined,
        ticket: typeof request.query.ticket === 'string' ? request.query.ticket : undefined,
        browser,
        caller: clientOf(request, deps.config.trustProxy),
      });
      // A provider that answers by a cross-site POST needs SameSite=None, which only https allows.
      const crossSitePost = client.provider.kind === 'oidc' && client.provider.responseMode === 'form_post';
      reply.setCookie(browserCookieName(deps), browser, {
        httpOnly: true,
        path: '/auth',
        secure: deps.config.secureCookies,
        sameSite: crossSitePost && deps.config.secureCookies ? 'none' : 'lax',
        maxAge: FLOW_COOKIE_SECONDS,
      });
      return reply.header('Cache-Control', 'no-store').redirect(url.href, 302);
    } catch (error) {
      const back = intent === 'link' ? '/settings/security?error=' : '/login?error=';
      if (error instanceof FlowRefused) return reply.redirect(`${back}${error.error}`, 302);
      if (error instanceof AppError && error.reason === 'RATE_LIMITED')
        return reply.redirect(`${back}RATE_LIMITED`, 302);
      request.log.warn({ err: error, provider: client.provider.id }, 'provider sign-in could not start');
      return reply.redirect(`${back}provider_error`, 302);
    }
  });

  const callback = async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const client = clients.get(request.params.provider);
    if (!client) return toLogin(reply, 'provider_error');
    const params =
      request.method === 'POST'
        ? new URLSearchParams((request.body ?? {}) as Record<string, string>)
        : new URL(request.url, 'http://callback.invalid').searchParams;
    reply.header('Cache-Control', 'no-store');
    const em = deps.orm.em.fork();
    try {
      const flow = await takeFlow(em, deps, {
        providerId: client.provider.id,
        state: params.get('state'),
        browser: request.cookies[browserCookieName(deps)],
      });
      if (!flow) return toLogin(reply, 'invalid_state');
      const back = flow.intent === 'link' ? '/settings/security?error=' : '/login?error=';
      if (params.has('error'))
        return reply.redirect(
          `${back}${params.get('error') === 'access_denied' ? 'access_denied' : 'provider_error'}`,
          302,
        );
      const callbackUrl = new URL(callbackUrlOf(deps, client.provider.id));
      for (const [name, value] of params) if (name !== 'user') callbackUrl.searchParams.append(name, value);
      let profile;
      try {
        profile = await client.profile({
          callbackUrl,
          state: params.get('state')!,
          nonce: flow.nonce ?? null,
          codeVerifier: flow.codeVerifier,
          user: params.get('user') ?? undefined,
        });
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        request.log.warn({ err: error.cause ?? error, provider: client.provider.id }, 'provider refused the sign-in');
        return reply.redirect(`${back}${error.code}`, 302);
      }
      const outcome = await completeFederatedSignIn(em, deps, {
        flow,
        provider: { id: client.provider.id, name: client.provider.name },
        profile,
        client: clientOf(request, deps.config.trustProxy),
      });
      if (outcome.signedIn) {
        const { refresh, authSession } = outcome.signedIn;
        setRefreshCookie(reply, deps.config, refresh.refreshToken, refresh.maxAgeSeconds);
        deps.devices.remember(request, reply, authSession.user.id);
      }
      return reply.redirect(outcome.redirect, 302);
    } catch (error) {
      request.log.error({ err: error, provider: client.provider.id }, 'provider sign-in failed');
      return toLogin(reply, 'provider_error');
    }
  };
  app.get('/auth/oauth/:provider/callback', callback);
  app.post('/auth/oauth/:provider/callback', callback);
}
