import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { ROLES } from '#shared/roles.ts';
import { newId } from '#server/lib/ids.ts';

export const UserEntity = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p
      .string()
      .primary()
      .onCreate(() => newId()),
    /** As the person typed it (trimmed); shown back to them and used to send mail. */
    email: p.string().length(320),
    /** Trimmed and lower-cased: the uniqueness key. */
    emailNormalized: p.string().length(320).unique(),
    /** Null for an account made through a provider until it sets a password (API.md §12). */
    // Not marked hidden: MikroORM types a nullable hidden property as never null. No entity is ever serialised whole.
    passwordHash: p.string().nullable(),
    emailVerifiedAt: p.datetime().nullable(),
    role: p.enum([...ROLES]).default('user'),
    disabledAt: p.datetime().nullable(),
    deactivatedAt: p.datetime().nullable(),
    lastSignInAt: p.datetime().nullable(),
    /** TOTP secret, encrypted (server/modules/mfa/secret-box.ts); set once two-factor is on. */
    mfaSecret: p.string().length(200).nullable(),
    /** A secret shown by auth.mfa.setup, waiting for its first code. */
    mfaPendingSecret: p.string().length(200).nullable(),
    mfaEnabledAt: p.datetime().nullable(),
    /** The last TOTP time step accepted: a code is never accepted twice. */
    mfaLastStep: p.bigint('number').nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type User = InferEntity<typeof UserEntity>;
