import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { OrganizationEntity } from '#server/modules/orgs/organization.entity.ts';

/**
 * A domain an organization claims (API.md §15). Any number of organizations may ask for a challenge;
 * `verifiedDomain` is set to the domain once one proves it, and its unique index lets only one.
 */
export const SsoDomainEntity = defineEntity({
  name: 'SsoDomain',
  tableName: 'sso_domains',
  uniques: [{ properties: ['org', 'domain'] }],
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    org: () => p.manyToOne(OrganizationEntity).deleteRule('cascade'),
    domain: p.string().length(253),
    /** The TXT record's value to publish at `_latchkey-challenge.<domain>`. */
    challenge: p.string().length(64),
    verifiedDomain: p.string().length(253).nullable().unique(),
    verifiedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
  },
});
export type SsoDomainRecord = InferEntity<typeof SsoDomainEntity>;
