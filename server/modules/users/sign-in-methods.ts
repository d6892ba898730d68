import type { EntityManager } from '@mikro-orm/core';
import { storeOf } from '#server/db/stores/store.ts';
import { AppError } from '#server/lib/app-error.ts';
import { IdentityEntity } from '#server/modules/identities/identity.entity.ts';
import { PasskeyEntity } from '#server/modules/passkeys/passkey.entity.ts';
import { UserEntity } from './user.entity.ts';

/**
 * Inside a transaction, before removing a way to sign in (a linked identity or a passkey): refused
 * with LAST_SIGN_IN_METHOD when no password, identity or passkey would be left (API.md §12, §13).
 * Under a lock on the account, so two removals at once cannot each leave the other's as the last.
 */
export async function requireAnotherSignInMethod(
  tx: EntityManager,
  userId: string,
  removing: { identityId?: string; passkeyId?: string },
): Promise<void> {
  await storeOf(tx).lock(tx, `sign-in-methods:${userId}`);
  const user = await tx.findOneOrFail(UserEntity, userId, { refresh: true });
  if (user.passwordHash) return;
  const [identities, passkeys] = await Promise.all([
    tx.count(IdentityEntity, { user: userId, ...(removing.identityId ? { id: { $ne: removing.identityId } } : {}) }),
    tx.count(PasskeyEntity, { user: userId, ...(removing.passkeyId ? { id: { $ne: removing.passkeyId } } : {}) }),
  ]);
  if (identities + passkeys === 0) {
    throw new AppError(
      'LAST_SIGN_IN_METHOD',
      'This is the only way to sign in to your account. Set a password or add another way first.',
    );
  }
}
