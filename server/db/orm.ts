import fs from 'node:fs/promises';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/sqlite';
import type { Config } from '#server/config.ts';
import { ormOptions } from '../../mikro-orm.config.ts';

export type Orm = MikroORM;

/** Opens the database and applies every checked-in migration that has not run yet. */
export async function openDatabase(config: Pick<Config, 'databasePath'>): Promise<Orm> {
  await fs.mkdir(path.dirname(config.databasePath), { recursive: true });
  const orm = await MikroORM.init(ormOptions(config));
  await orm.getMigrator().up();
  return orm;
}

export async function isDatabaseReady(orm: Orm): Promise<boolean> {
  try {
    await orm.em.fork().getConnection().execute('select 1');
    return true;
  } catch {
    return false;
  }
}
