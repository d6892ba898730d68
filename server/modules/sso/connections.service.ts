import type { EntityManager } from '@mikro-orm/core';
import { SSO_CONNECTIONS_PER_ORG_MAX } from '#shared/constants.ts';
import type { OrgEventType } from '#shared/org-events.ts';
import type { SsoConnection, SsoConnectionCreateInput, SsoConnectionUpdateInput } from '#shared/schemas/sso.ts';
import type { Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { recordOrgEvent } from '#server/modules/orgs/org-log.ts';
import type { Organization } from '#server/modules/orgs/organization.entity.ts';
import { describeCertificate, parseSettings, settingsOf } from './connection-settings.ts';
import { ensureDomainChallenges } from './domains.service.ts';
import { connectionDomains, SsoConnectionEntity, type SsoConnectionRecord } from './sso-connection.entity.ts';
import { ssoUrls } from './sso-urls.ts';

/** Loopback IdPs (local development, tests) outside production only. */
const localUrlsAllowed = (deps: Deps) => deps.config.nodeEnv !== 'production';

export function toConnectionView(deps: Deps, connection: SsoConnectionRecord): SsoConnection {
  const settings = parseSettings(connection.settings);
  const urls = ssoUrls(deps, connection);
  return {
    id: connection.id,
    protocol: connection.protocol,
    name: connection.name,
    domains: connectionDomains(connection),
    defaultRole: connection.defaultRole,
    required: connection.required,
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
    startUrl: `${deps.config.publicUrl}${urls.startPath}`,
    oidc:
      settings.protocol === 'oidc'
        ? { issuer: settings.issuer, clientId: settings.clientId, redirectUrl: urls.oidcRedirectUrl }
        : null,
    saml:
      settings.protocol === 'saml'
        ? {
            idpEntityId: settings.entityId,
            ssoUrl: settings.ssoUrl,
            certificates: settings.certificates.map(describeCertificate),
            spEntityId: urls.spEntityId,
            metadataUrl: urls.metadataUrl,
            acsUrl: urls.acsUrl,
          }
        : null,
  };
}

const connectionNotFound = () => new AppError('NOT_FOUND', 'There is no such SSO connection.');

export async function findOrgConnection(em: EntityManager, org: Organization, connectionId: string) {
  const connection = await em.findOne(SsoConnectionEntity, { id: connectionId, org: org.id });
  if (!connection) throw connectionNotFound();
  return connection;
}

export async function listConnections(em: EntityManager, deps: Deps, org: Organization): Promise<SsoConnection[]> {
  const connections = await em.find(SsoConnectionEntity, { org: org.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return connections.map((connection) => toConnectionView(deps, connection));
}

/** One connection per domain within an organization, so discovery has one answer. */
async function requireDomainsFree(em: EntityManager, org: Organization, domains: string[], except?: string) {
  const others = await em.find(SsoConnectionEntity, { org: org.id, ...(except ? { id: { $ne: except } } : {}) });
  const taken = domains.filter((domain) => others.some((other) => connectionDomains(other).includes(domain)));
  if (taken.length > 0) {
    const message = `${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} already used by another connection.`;
    throw new AppError('INVALID_INPUT', message, { fieldErrors: { domains: [message] } });
  }
}

function log(em: EntityManager, deps: Deps, org: Organization, actorId: string, type: OrgEventType) {
  recordOrgEvent(em, { orgId: org.id, type, actorId, at: deps.now() });
}

export async function createConnection(
  em: EntityManager,
  deps: Deps,
  actorId: string,
  org: Organization,
  input: SsoConnectionCreateInput,
): Promise<SsoConnection> {
  const settings = settingsOf(input.config, localUrlsAllowed(deps));
  return em.transactional(async (tx) => {
    if ((await tx.count(SsoConnectionEntity, { org: org.id })) >= SSO_CONNECTIONS_PER_ORG_MAX)
      throw new AppError(
        'INVALID_INPUT',
        `An organization can have at most ${SSO_CONNECTIONS_PER_ORG_MAX} connections.`,
      );
    await requireDomainsFree(tx, org, input.domains);
    const now = deps.now();
    const connection = tx.create(SsoConnectionEntity, {
      org: org.id,
      protocol: input.protocol,
      name: input.name,
      domains: JSON.stringify(input.domains),
      defaultRole: input.defaultRole,
      required: false,
      settings: JSON.stringify(settings),
      sealedSecret: 'clientSecret' in input.config ? deps.secretBox.seal(Buffer.from(input.config.clientSecret)) : null,
      createdAt: now,
      updatedAt: now,
    });
    await ensureDomainChallenges(tx, deps, org, input.domains);
    log(tx, deps, org, actorId, 'sso.connection_created');
    await tx.flush();
    return toConnectionView(deps, connection);
  });
}

export async function updateConnection(
  em: EntityManager,
  deps: Deps,
  actorId: string,
  org: Organization,
  input: SsoConnectionUpdateInput,
): Promise<SsoConnection> {
  return em.transactional(async (tx) => {
    const connection = await findOrgConnection(tx, org, input.connectionId);
    if (input.config) {
      const settings = settingsOf(input.config, localUrlsAllowed(deps));
      if (settings.protocol !== connection.protocol) {
        const message = `This is a${connection.protocol === 'oidc' ? 'n OpenID Connect' : ' SAML'} connection: its protocol cannot change.`;
        throw new AppError('INVALID_INPUT', message, { fieldErrors: { config: [message] } });
      }
      connection.settings = JSON.stringify(settings);
      if ('clientSecret' in input.config && input.config.clientSecret)
        connection.sealedSecret = deps.secretBox.seal(Buffer.from(input.config.clientSecret));
    }
    if (input.domains) {
      await requireDomainsFree(tx, org, input.domains, connection.id);
      connection.domains = JSON.stringify(input.domains);
      await ensureDomainChallenges(tx, deps, org, input.domains);
    }
    if (input.name !== undefined) connection.name = input.name;
    if (input.defaultRole !== undefined) connection.defaultRole = input.defaultRole;
    if (input.required !== undefined) connection.required = input.required;
    connection.updatedAt = deps.now();
    log(tx, deps, org, actorId, 'sso.connection_updated');
    await tx.flush();
    return toConnectionView(deps, connection);
  });
}

export async function deleteConnection(
  em: EntityManager,
  deps: Deps,
  actorId: string,
  org: Organization,
  connectionId: string,
): Promise<void> {
  const deleted = await em.nativeDelete(SsoConnectionEntity, { id: connectionId, org: org.id });
  if (deleted === 0) throw connectionNotFound();
  log(em, deps, org, actorId, 'sso.connection_deleted');
  await em.flush();
}

/** The OpenID Connect client secret, opened only to talk to the provider. */
export const clientSecretOf = (deps: Deps, connection: SsoConnectionRecord) =>
  connection.sealedSecret ? Buffer.from(deps.secretBox.open(connection.sealedSecret)).toString() : '';
