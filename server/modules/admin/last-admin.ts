import type { EntityManager } from '@mikro-orm/core';
import { storeOf, type AdminStepDown } from '#server/db/stores/store.ts';
import { AppError } from '#server/lib/app-error.ts';
import type { User } from '#server/modules/users/user.entity.ts';

const lastAdmin = () =>
  new AppError('LAST_ADMIN', 'This is the last active administrator: make someone else an administrator first.');

/**
 * Takes an admin out of the active administrators (demoted, disabled or deactivated) only if
 * another active admin remains, else LAST_ADMIN. One step of the store (a conditional statement,
 * on PostgreSQL behind a lock), so two admins stepping each other down at once cannot leave
 * nobody in charge.
 */
export async function stepDownAdmin(
  em: EntityManager,
  user: Pick<User, 'id'>,
  set: Pick<AdminStepDown, 'column' | 'value'>,
  now: Date,
): Promise<void> {
  const changed = await storeOf(em).stepDownAdmin(em, { userId: user.id, ...set, now });
  if (!changed) throw lastAdmin();
}

/** An admin who is not disabled or deactivated counts towards "another active admin remains". */
export const isActiveAdmin = (user: User) => user.role === 'admin' && !user.disabledAt && !user.deactivatedAt;
