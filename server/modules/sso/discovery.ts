import type { EntityManager } from '@mikro-orm/core';
import type { SsoDiscoverResult } from '#shared/schemas/sso.ts';
import { queryPrepared } from '#server/db/prepared.ts';
import { AppError } from '#server/lib/app-error.ts';
import { MembershipEntity } from '#server/modules/orgs/membership.entity.ts';
import { connectionDomains, SsoConnectionEntity, type SsoConnectionRecord } from './sso-connection.entity.ts';

const VERIFIED_DOMAIN_SQL = 'select org_id from sso_domains where verified_domain = ?';

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * The connection for an address's domain (API.md §15): the domain verified by an organization and
 * listed by one of its connections. From the domain alone, so it says nothing about accounts.
 */
export async function connectionForEmail(em: EntityManager, email: string): Promise<SsoConnectionRecord | null> {
  const domain = domainOf(email);
  // Asked on every password sign-in, nearly always of a domain no organization holds: one prepared statement.
  const [verified] = await queryPrepared<{ org_id: string }>(em, 'read', VERIFIED_DOMAIN_SQL, [domain]);
  if (!verified) return null;
  const connections = await em.find(
    SsoConnectionEntity,
    { org: verified.org_id },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  return connections.find((connection) => connectionDomains(connection).includes(domain)) ?? null;
}

export async function discoverConnection(em: EntityManager, email: string): Promise<SsoDiscoverResult> {
  const connection = await connectionForEmail(em, email);
  return connection && { connectionId: connection.id, name: connection.name };
}

/**
 * For `auth.login`: SSO_REQUIRED when the address's connection requires SSO, unless `userId` (a
 * password that matched) is an owner of its organization, who keeps the password as a way back in.
 */
export async function requireSsoUnlessOwner(em: EntityManager, email: string, userId: string | null): Promise<void> {
  const connection = await connectionForEmail(em, email);
  if (!connection?.required) return;
  if (userId && (await em.count(MembershipEntity, { org: connection.org.id, user: userId, role: 'owner' })) > 0) return;
  throw new AppError('SSO_REQUIRED', `Your organization signs you in through ${connection.name}.`, {
    connectionId: connection.id,
  });
}
