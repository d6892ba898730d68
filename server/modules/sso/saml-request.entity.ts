import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { SsoConnectionEntity } from './sso-connection.entity.ts';

/**
 * An AuthnRequest we sent (API.md §15): a response must answer one of these (`InResponseTo`),
 * from the browser that started it, within 10 minutes, once. In the database so any instance can
 * take the response.
 */
export const SamlRequestEntity = defineEntity({
  name: 'SamlRequest',
  tableName: 'saml_requests',
  properties: {
    /** The AuthnRequest's ID. */
    id: p.string().primary().length(128),
    connection: () => p.manyToOne(SsoConnectionEntity).deleteRule('cascade').index(),
    /** SHA-256 of the browser cookie's value. */
    browserHash: p.string().length(64),
    returnTo: p.string().length(2048),
    expiresAt: p.datetime().index(),
  },
});
export type SamlRequest = InferEntity<typeof SamlRequestEntity>;
