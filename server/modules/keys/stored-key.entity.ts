import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const KEY_PURPOSES = ['signing', 'secret-box', 'device-cookie'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/**
 * The install's secrets (API.md §11), each sealed with the key derived from MASTER_KEY: a copy of
 * the database alone reveals none of them. Shared by every instance on the database.
 */
export const StoredKeyEntity = defineEntity({
  name: 'StoredKey',
  tableName: 'keys',
  properties: {
    /** The `kid` of a signing key; the purpose itself for the install's one key of that purpose. */
    id: p.string().length(64).primary(),
    purpose: p.enum([...KEY_PURPOSES]),
    /**
     * Unique: 'signing-first' on the install's first signing key, the purpose on its other keys, so
     * that instances starting at once on an empty table keep one of each; 'after:<kid>' on the key
     * added when ACCESS_TOKEN_ALG changed, so instances starting at once add one; null for rotated keys.
     */
    slot: p.string().length(64).nullable().unique(),
    /** The private JWK (signing) or the raw 32 bytes, sealed (secret-box.ts's format). */
    sealed: p.text(),
    createdAt: p.datetime(),
    /** A signing key is published from creation and signs from this instant on. */
    activatesAt: p.datetime(),
  },
});
export type StoredKey = InferEntity<typeof StoredKeyEntity>;
