// The statements both stores run; only what surrounds them (locks, transactions) differs.

export const INSERT_HIT_IF_UNDER_LIMIT = `insert into rate_limit_hits (key, at)
  select ?, ? where (select count(*) from rate_limit_hits where key = ? and at > ?) < ?
  returning at`;

/** Parameters: the new value, the time, the user's id twice. */
export const stepDownAdminSql = (
  column: 'role' | 'disabled_at' | 'deactivated_at',
) => `update users set ${column} = ?, updated_at = ?
  where id = ? and (select count(*) from users where role = 'admin' and disabled_at is null and deactivated_at is null and id <> ?) >= 1
  returning id`;
