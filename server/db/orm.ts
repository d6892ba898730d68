import fs from 'node:fs/promises';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import type { Config, DatabaseConfig } from '#server/config.ts';
import { StartupError } from '#server/lib/startup-failure.ts';
import { ormOptions } from './orm-options.ts';

export type Orm = MikroORM<AbstractSqlDriver, SqlEntityManager>;

type Where = Pick<Config, 'database' | 'dataDir'>;

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
 * Only an install's first start makes the SQLite file (API.md §11). Every connection opens it
 * without creating it (orm-options.ts), so a misplaced volume or a lost file is an error, never a
 * new, empty product where sign-ups would land in the wrong file.
 */
async function createOnFirstStart(databasePath: string, dataDir: string): Promise<void> {
  if (await exists(databasePath)) return;
  if (await hasStartedBefore(dataDir)) {
    throw new StartupError(
      `The database ${databasePath} is missing, but ${path.join(dataDir, 'keys')} holds the keys of an install that has started before: restore the file or point DATABASE_URL at it (only a first start creates a database).`,
    );
  }
  await fs.mkdir(path.dirname(databasePath), { recursive: true });
  // SQLite takes an empty file as an empty database; 'wx' lets a concurrent first start win.
  const created = await fs.writeFile(databasePath, '', { flag: 'wx' }).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      return false;
    },
  );
  // The mark of an install that has started, even where MASTER_KEY leaves no key file here.
  if (created) {
    await fs.mkdir(path.join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(dataDir, 'keys', 'installed'), `${new Date().toISOString()}\n`, { mode: 0o600 });
  }
}

// Any constant both sides agree on: pg_advisory_lock takes a 64-bit key.
const MIGRATION_LOCK = 0x1a7c_4e11;

type PgClient = { query(sql: string, params?: unknown[]): Promise<unknown> };
type KnexClient = { acquireConnection(): Promise<PgClient>; releaseConnection(connection: PgClient): Promise<unknown> };

/**
 * Instances started at the same moment migrate once: each takes a session advisory lock on its
 * own connection, and the migrator (on others of the pool) finds nothing left to do after the first.
 */
async function migrateUnderLock(orm: Orm): Promise<void> {
  const client = orm.em.getConnection().getKnex().client as unknown as KnexClient;
  const connection = await client.acquireConnection();
  try {
    await connection.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await orm.getMigrator().up();
    } finally {
      await connection.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * Processes starting at once on a new SQLite file race to create the migrations table (outside
 * the migrations' own transaction): the loser tries again and finds the work done.
 */
async function migrateSqlite(orm: Orm): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await orm.getMigrator().up();
      return;
    } catch (error) {
      if (attempt >= 5 || !/already exists|SQLITE_BUSY/.test(String((error as Error).message))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Opens the database and applies every checked-in migration that has not run yet. */
export async function openDatabase(config: Where): Promise<Orm> {
  const { database } = config;
  if (database.dialect === 'sqlite') await createOnFirstStart(database.path, config.dataDir);
  const orm = await MikroORM.init<AbstractSqlDriver, SqlEntityManager>(ormOptions(config));
  try {
    if (database.dialect === 'postgresql') await migrateUnderLock(orm);
    else await migrateSqlite(orm);
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  return orm;
}

const READINESS_TIMEOUT_MS = 2000; // API.md §11

// A real table, not just "select 1": an empty or foreign database is not ready either.
async function ping(orm: Orm): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the database did not answer in time')), READINESS_TIMEOUT_MS);
  });
  try {
    await Promise.race([orm.em.fork().getConnection().execute('select 1 from users limit 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Really asks the database. On PostgreSQL the pool replaces broken connections by itself, so a
 * failed check closes nothing another request holds. On SQLite a failed check reopens the
 * connection once, so the server serves again on its own once the file is back; and a file gone
 * from its path is not ready even while a connection still holds it open: writes to it would be
 * lost, so the connections are closed until the file is back.
 */
export async function isDatabaseReady(orm: Orm, database: DatabaseConfig): Promise<boolean> {
  if (database.dialect === 'postgresql') {
    return ping(orm).then(
      () => true,
      () => false,
    );
  }
  try {
    if (!(await exists(database.path))) throw new Error('the database file is gone');
    await ping(orm);
    return true;
  } catch {
    try {
      await orm.close(true);
      if (!(await exists(database.path))) return false;
      await orm.connect();
      await ping(orm);
      return true;
    } catch {
      return false;
    }
  }
}
