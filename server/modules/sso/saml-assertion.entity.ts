import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** An assertion already used (API.md §15): the same assertion id is never accepted twice. */
export const SamlAssertionEntity = defineEntity({
  name: 'SamlAssertion',
  tableName: 'saml_assertions',
  properties: {
    /** SHA-256 of the connection id and the assertion's ID: the primary key refuses a second insert. */
    id: p.string().primary().length(64),
    expiresAt: p.datetime().index(),
  },
});
export type SamlAssertion = InferEntity<typeof SamlAssertionEntity>;
