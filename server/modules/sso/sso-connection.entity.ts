import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { SSO_PROTOCOLS } from '#shared/schemas/sso.ts';
import { newId } from '#server/lib/ids.ts';
import { OrganizationEntity } from '#server/modules/orgs/organization.entity.ts';

/**
 * An organization's SSO connection (API.md §15). `settings` is the JSON of what is not secret (issuer
 * and client id, or the IdP's entity id, URL and certificates); the OpenID Connect client secret is
 * sealed like a two-factor secret.
 */
export const SsoConnectionEntity = defineEntity({
  name: 'SsoConnection',
  tableName: 'sso_connections',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    org: () => p.manyToOne(OrganizationEntity).deleteRule('cascade').index(),
    protocol: p.enum([...SSO_PROTOCOLS]),
    name: p.string().length(320),
    /** JSON array of lower-case domains; each counts once the organization has verified it. */
    domains: p.text(),
    defaultRole: p.enum(['member', 'admin']),
    required: p.boolean().default(false),
    settings: p.text(),
    sealedSecret: p.text().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type SsoConnectionRecord = InferEntity<typeof SsoConnectionEntity>;

/** The domains a connection lists (its `domains` column holds them as JSON). */
export const connectionDomains = (connection: Pick<SsoConnectionRecord, 'domains'>) =>
  JSON.parse(connection.domains) as string[];
