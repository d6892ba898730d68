import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { newId } from '#server/lib/ids.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';

/** A WebAuthn credential of a member (API.md §13): the public key only, never a secret. */
export const PasskeyEntity = defineEntity({
  name: 'Passkey',
  tableName: 'passkeys',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    user: () => p.manyToOne(UserEntity).deleteRule('cascade').index(),
    /** The authenticator's credential id, base64url. */
    credentialId: p.string().length(1400).unique(),
    /** The COSE public key, base64url. */
    publicKey: p.text(),
    /** The last signature counter seen (0 for authenticators that keep none). */
    counter: p.bigint('number').default(0),
    /** The transports the authenticator named, comma-separated: hints for the browser. */
    transports: p.string().length(200).nullable(),
    deviceType: p.string().length(32),
    backedUp: p.boolean().default(false),
    name: p.string().length(240),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
  },
});
export type PasskeyRecord = InferEntity<typeof PasskeyEntity>;
