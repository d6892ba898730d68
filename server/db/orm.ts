import fs from 'node:fs/promises';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/sqlite';
import type { Config } from '#server/config.ts';
import { StartupError } from '#server/lib/startup-failure.ts';
import { ormOptions } from './orm-options.ts';

export type Orm = MikroORM;

type Where = Pick<Config, 'databasePath' | 'dataDir'>;

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

/** An install that has started before has its keys in DATA_DIR/keys. */
async function hasStartedBefore(dataDir: string): Promise<boolean> {
  try {
    return (await fs.readdir(path.join(dataDir, 'keys'))).length > 0;
  } catch {
    return false;
  }
}

/**
 * Only an install's first start makes the database file (API.md §11). Every connection opens it
 * without creating it (orm-options.ts), so a misplaced volume or a lost file is an error, never a
 * new, empty product where sign-ups would land in the wrong file.
 */
async function createOnFirstStart({ databasePath, dataDir }: Where): Promise<void> {
  if (await exists(databasePath)) return;
  if (await hasStartedBefore(dataDir)) {
    throw new StartupError(
      `The database ${databasePath} is missing, but ${path.join(dataDir, 'keys')} holds the keys of an install that has started before: restore the file or point DATABASE_URL at it (only a first start creates a database).`,
    );
  }
  await fs.mkdir(path.dirname(databasePath), { recursive: true });
  // SQLite takes an empty file as an empty database; 'wx' lets a concurrent first start win.
  await fs.writeFile(databasePath, '', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

/** Opens the database and applies every checked-in migration that has not run yet. */
export async function openDatabase(config: Where): Promise<Orm> {
  await createOnFirstStart(config);
  const orm = await MikroORM.init(ormOptions(config));
  await orm.getMigrator().up();
  return orm;
}

// A real table, not just "select 1": an empty or foreign database file is not ready either.
const ping = (orm: Orm) => orm.em.fork().getConnection().execute('select 1 from users limit 1');

/**
 * Really asks the database. When that fails, the connection is reopened once, so the server
 * serves again on its own once the database is back (readiness probes call this every few seconds).
 * A file gone from its path is not ready even while a connection still holds it open: writes to
 * it would be lost, so the connections are closed until the file is back.
 */
export async function isDatabaseReady(orm: Orm, databasePath: string): Promise<boolean> {
  try {
    if (!(await exists(databasePath))) throw new Error('the database file is gone');
    await ping(orm);
    return true;
  } catch {
    try {
      await orm.close(true);
      if (!(await exists(databasePath))) return false;
      await orm.connect();
      await ping(orm);
      return true;
    } catch {
      return false;
    }
  }
}
