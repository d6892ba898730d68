import type { EntityManager } from '@mikro-orm/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { oidcClient, type ProviderClient } from '#server/modules/identities/provider-clients.ts';
import { OIDC_SCOPES } from '#server/modules/identities/provider-config.ts';
import { enforceRateLimit } from '#server/modules/rate-limit/rate-limit.ts';
import { RATE_LIMITS } from '#server/modules/rate-limit/rules.ts';
import { parseSettings, type ConnectionSettings } from '#server/modules/sso/connection-settings.ts';
import { clientSecretOf } from '#server/modules/sso/connections.service.ts';
import { SsoDomainEntity } from '#server/modules/sso/sso-domain.entity.ts';
import { serviceProviderMetadata, startSamlSignIn, takeSamlResponse } from '#server/modules/sso/saml-sp.ts';
import {
  connectionDomains,
  SsoConnectionEntity,
  type SsoConnectionRecord,
} from '#server/modules/sso/sso-connection.entity.ts';
import { recordSsoFailure, SSO_FAILED_PATH, SsoFailure } from '#server/modules/sso/sso-failure.ts';
import { completeSsoSignIn } from '#server/modules/sso/sso-sign-in.ts';
import { ssoProviderId, ssoUrls } from '#server/modules/sso/sso-urls.ts';
import { clientOf } from './client-ip.ts';
import { bindBrowser, browserCookieName, deliverOutcome, registerFlowRoutes } from './oauth-routes.ts';

type Params = { id: string };
type Connection = { record: SsoConnectionRecord; settings: ConnectionSettings; orgSlug: string };

async function findConnection(em: EntityManager, id: string): Promise<Connection | null> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
  const record = await em.findOne(SsoConnectionEntity, { id }, { populate: ['org'] });
  return record && { record, settings: parseSettings(record.settings), orgSlug: record.org.slug };
}

/** Without a page to return to, a sign-in through an organization's connection lands in it. */
const landingOf = (connection: Connection, returnTo: unknown) =>
  typeof returnTo === 'string' && returnTo !== '/' ? returnTo : `/orgs/${connection.orgSlug}/members`;

// Discovery is cached per connection and version: an edited connection gets a fresh client.
const clients = new Map<string, { updatedAt: number; client: ProviderClient }>();
const MAX_CACHED_CLIENTS = 500;

function clientFor(deps: Deps, connection: Connection): ProviderClient {
  const { record, settings } = connection;
  if (settings.protocol !== 'oidc') throw new Error('not an OpenID Connect connection');
  const cached = clients.get(record.id);
  if (cached && cached.updatedAt === record.updatedAt.getTime()) return cached.client;
  const client = oidcClient(
    {
      kind: 'oidc',
      id: ssoProviderId(record.id),
      name: record.name,
      issuer: settings.issuer,
      clientId: settings.clientId,
      clientSecret: clientSecretOf(deps, record),
      scopes: OIDC_SCOPES,
      // The organization's verified domain vouches for the address, not the provider (API.md §15).
      emailTrust: 'never',
    },
    deps,
  );
  // Deleted connections are never asked for again: a bound keeps them from piling up.
  if (clients.size >= MAX_CACHED_CLIENTS) clients.clear();
  clients.set(record.id, { updatedAt: record.updatedAt.getTime(), client });
  return client;
}

/** Until one of its domains is verified a connection signs nobody in, so it sends nobody to its IdP either. */
async function hasVerifiedDomain(em: EntityManager, connection: Connection): Promise<boolean> {
  const domains = connectionDomains(connection.record);
  if (domains.length === 0) return false;
  const verified = await em.count(SsoDomainEntity, {
    org: connection.record.org.id,
    verifiedDomain: { $in: domains },
  });
  return verified > 0;
}

const ssoLimit = (record: SsoConnectionRecord, client: Client) => ({
  rule: RATE_LIMITS.ssoPerIpAndConnection,
  key: `${client.ip} ${record.id}`,
});

/** A post the ACS cannot even read (too large, not a form) still ends on the login page, recorded. */
function acsRefusal(deps: Deps) {
  return async (error: FastifyError, request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const client = clientOf(request, deps.config.trustProxy);
    const id = request.params.id;
    if (/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      const em = deps.orm.em.fork();
      if (await em.findOne(SsoConnectionEntity, { id })) {
        const reason = `unreadable post: ${error.code ?? error.message}`;
        await recordSsoFailure(em, deps, { connectionId: id, client, reason });
      }
    }
    return reply.header('Cache-Control', 'no-store').redirect(SSO_FAILED_PATH, 302);
  };
}

/** Enterprise SSO (API.md §15): OpenID Connect connections through §12's flow, and the SAML 2.0 SP. */
export function registerSsoRoutes(app: FastifyInstance, deps: Deps): void {
  // A SAML connection's start is its own; the generic start forwards, so the SPA needs only the id.
  app.addHook('onRequest', async (request, reply) => {
    const match = /^\/auth\/sso\/([^/?]+)\/start(\?.*)?$/.exec(request.url);
    if (!match) return;
    // Connection ids are URL-safe: anything percent-encoded is no connection of ours.
    const connection = await findConnection(deps.orm.em.fork(), match[1]!);
    if (connection?.settings.protocol === 'saml')
      return reply.redirect(`/auth/saml/${encodeURIComponent(connection.record.id)}/start${match[2] ?? ''}`, 302);
  });

  registerFlowRoutes(
    app,
    deps,
    '/auth/sso/:provider',
    async (em, id) => {
      const connection = await findConnection(em, id);
      if (!connection || connection.settings.protocol !== 'oidc' || !(await hasVerifiedDomain(em, connection)))
        return null;
      const { record } = connection;
      return {
        client: clientFor(deps, connection),
        flowKey: ssoProviderId(record.id),
        callbackUrl: ssoUrls(deps, record).oidcRedirectUrl,
        failure: (reason) => (reason === 'RATE_LIMITED' ? '/login?error=RATE_LIMITED' : SSO_FAILED_PATH),
        startLimit: (caller) => ssoLimit(record, caller),
        onFailure: (failedEm, client, reason) =>
          recordSsoFailure(failedEm, deps, { connectionId: record.id, client, reason }),
        async finish(finishEm, { flow, profile, client }) {
          try {
            return await completeSsoSignIn(finishEm, deps, {
              connection: record,
              profile: { subject: profile.subject, email: profile.email, name: profile.name },
              returnTo: landingOf(connection, flow.returnTo),
              client,
            });
          } catch (error) {
            if (!(error instanceof SsoFailure)) throw error;
            await recordSsoFailure(finishEm, deps, { connectionId: record.id, client, reason: error.message });
            return { redirect: error.redirect };
          }
        },
      };
    },
    SSO_FAILED_PATH,
  );

  app.get<{ Params: Params }>('/auth/saml/:id/metadata', async (request, reply) => {
    const connection = await findConnection(deps.orm.em.fork(), request.params.id);
    if (connection?.settings.protocol !== 'saml')
      return reply.code(404).send({ error: 'There is no such connection.' });
    return reply
      .type('application/samlmetadata+xml')
      .header('Cache-Control', 'no-cache')
      .send(await serviceProviderMetadata(deps, connection.record, connection.settings));
  });

  app.get<{ Params: Params; Querystring: { returnTo?: string } }>('/auth/saml/:id/start', async (request, reply) => {
    const em = deps.orm.em.fork();
    const connection = await findConnection(em, request.params.id);
    if (connection?.settings.protocol !== 'saml' || !(await hasVerifiedDomain(em, connection)))
      return reply.redirect(SSO_FAILED_PATH, 302);
    const client = clientOf(request, deps.config.trustProxy);
    try {
      const limit = ssoLimit(connection.record, client);
      await enforceRateLimit(em, limit.rule, limit.key, deps.now(), 'Too many sign-ins started.');
      // The IdP answers with a cross-site POST to the ACS.
      const secret = bindBrowser(request, reply, deps, true);
      const url = await startSamlSignIn(em, deps, connection.record, connection.settings, {
        secret,
        returnTo: landingOf(connection, request.query.returnTo),
      });
      return reply.header('Cache-Control', 'no-store').redirect(url, 302);
    } catch (error) {
      if (error instanceof AppError && error.reason === 'RATE_LIMITED')
        return reply.redirect('/login?error=RATE_LIMITED', 302);
      request.log.warn({ err: error, connection: connection.record.id }, 'a SAML sign-in could not start');
      return reply.redirect(SSO_FAILED_PATH, 302);
    }
  });

  app.post<{ Params: Params }>('/auth/saml/:id/acs', { errorHandler: acsRefusal(deps) }, async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const em = deps.orm.em.fork();
    const client = clientOf(request, deps.config.trustProxy);
    const connection = await findConnection(em, request.params.id);
    if (connection?.settings.protocol !== 'saml') return reply.redirect(SSO_FAILED_PATH, 302);
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      const limit = ssoLimit(connection.record, client);
      await enforceRateLimit(em, limit.rule, limit.key, deps.now(), 'Too many sign-in attempts.');
      if (typeof body.SAMLResponse !== 'string' || body.SAMLResponse.length === 0)
        throw new SsoFailure('no SAMLResponse in the post');
      const { profile, returnTo } = await takeSamlResponse(em, deps, connection.record, connection.settings, {
        samlResponse: body.SAMLResponse,
        browser: request.cookies[browserCookieName(deps)],
      });
      const outcome = await completeSsoSignIn(em, deps, { connection: connection.record, profile, returnTo, client });
      return deliverOutcome(request, reply, deps, outcome);
    } catch (error) {
      if (error instanceof AppError && error.reason === 'RATE_LIMITED')
        return reply.redirect('/login?error=RATE_LIMITED', 302);
      const reason = error instanceof SsoFailure ? error.message : 'the sign-in failed';
      if (!(error instanceof SsoFailure)) request.log.error({ err: error }, 'a SAML sign-in failed');
      await recordSsoFailure(em, deps, { connectionId: connection.record.id, client, reason });
      return reply.redirect(error instanceof SsoFailure ? error.redirect : SSO_FAILED_PATH, 302);
    }
  });
}
