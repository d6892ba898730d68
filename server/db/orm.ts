import fs from 'node:fs/promises';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/sqlite';
import type { Config } from '#server/config.ts';
import { ormOptions } from './orm-options.ts';

export type Orm = MikroORM;

/** Opens the database and applies every checked-in migration that has not run yet. */
export async function openDatabase(config: Pick<Config, 'databasePath'>): Promise<Orm> {
  await fs.mkdir(path.dirname(config.databasePath), { recursive: true });
  const orm = await MikroORM.init(ormOptions(config));
  await orm.getMigrator().up();
  return orm;
}

// A real table, not just "select 1": an empty or foreign database file is not ready either.
const ping = (orm: Orm) => orm.em.fork().getConnection().execute('select 1 from users limit 1');

/**
 * Really asks the database. When that fails, the connection is reopened once, so the server
 * serves again on its own once the database is back (readiness probes call this every few seconds).
 */
export async function isDatabaseReady(orm: Orm): Promise<boolean> {
  try {
    await ping(orm);
    return true;
  } catch {
    try {
      await orm.close(true);
      await orm.connect();
      await ping(orm);
      return true;
    } catch {
      return false;
    }
  }
}
