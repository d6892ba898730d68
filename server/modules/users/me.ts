import type { EntityManager } from '@mikro-orm/core';
import type { Me } from '#shared/schemas/auth.ts';
import type { Role } from '#shared/roles.ts';
import { instantOf } from '#server/db/columns.ts';
import { queryPrepared } from '#server/db/prepared.ts';
import { avatarUrl } from '#server/modules/profile/avatar-url.ts';

/** `table.column as "table.column"`, so that joined rows keep each column's table. */
export const aliased = (columns: string[]) => columns.map((column) => `${column} as "${column}"`).join(', ');

/** The columns `meOf` reads, from `users u join profiles p` (the session check's select has them too). */
export const ME_COLUMNS = `(u.password_hash is not null) as "u.has_password", ${aliased([
  'u.id',
  'u.email',
  'u.email_verified_at',
  'u.role',
  'u.mfa_enabled_at',
  'u.created_at',
  'p.name',
  'p.avatar_file',
])}`;

export type MeRow = Record<string, unknown>;

export function meOf(row: MeRow): Me {
  return {
    id: row['u.id'] as string,
    email: row['u.email'] as string,
    emailVerified: row['u.email_verified_at'] != null,
    role: row['u.role'] as Role,
    mfaEnabled: row['u.mfa_enabled_at'] != null,
    // SQLite answers 0 or 1, PostgreSQL a boolean.
    hasPassword: Boolean(row['u.has_password']),
    createdAt: instantOf(row['u.created_at']),
    profile: { name: row['p.name'] as string, avatarUrl: avatarUrl(row['p.avatar_file'] as string | null) },
  };
}

const ME_SQL = `select ${ME_COLUMNS} from users u join profiles p on p.user_id = u.id where u.id = ?`;

/** The account as the client shows it, as committed (call it after the flush). */
export async function loadMe(em: EntityManager, userId: string): Promise<Me> {
  const [row] = await queryPrepared<MeRow>(em, 'read', ME_SQL, [userId]);
  if (!row) throw new Error(`The account ${userId} or its profile is missing`);
  return meOf(row);
}
