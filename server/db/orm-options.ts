import { pathToFileURL } from 'node:url';
import type { Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import type { Config, DatabaseConfig } from '#server/config.ts';
import { ENTITIES } from '#server/db/entities.ts';
import { postgresSsl } from '#server/db/postgres-ssl.ts';
import { ImmediateSqliteDialect } from '#server/db/sqlite-immediate.ts';
import { POSTGRESQL_MIGRATIONS } from '#server/db/migrations/postgresql/index.ts';
import { SQLITE_MIGRATIONS } from '#server/db/migrations/sqlite/index.ts';

type SqliteConnection = { exec(sql: string, callback: (error: Error | null) => void): void };

// Set on every pooled connection, not once: a reopened connection would otherwise lose them.
const CONNECTION_PRAGMAS = `
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  PRAGMA foreign_keys = ON;
  PRAGMA busy_timeout = 5000;
`;
// The read connection (server/db/prepared.ts) can never write, whatever is sent to it.
const READ_CONNECTION_PRAGMAS = `
  PRAGMA query_only = ON;
  PRAGMA busy_timeout = 5000;
`;

function sqlitePool(pragmas: string) {
  return {
    min: 1,
    max: 1,
    idleTimeoutMillis: 2 ** 31 - 1,
    afterCreate: (connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) => {
      connection.exec(pragmas, (error) => done(error, connection));
    },
  };
}

/** The migrations checked in for a dialect, and where `npm run db:migration` writes new ones. */
export function migrationsOf(dialect: DatabaseConfig['dialect']) {
  return dialect === 'sqlite'
    ? { path: 'server/db/migrations/sqlite', migrationsList: SQLITE_MIGRATIONS }
    : { path: 'server/db/migrations/postgresql', migrationsList: POSTGRESQL_MIGRATIONS };
}

function common(dialect: DatabaseConfig['dialect']) {
  return {
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: {
      ...migrationsOf(dialect),
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
      emit: 'ts' as const,
      fileName: (timestamp: string, name?: string) => `migration-${timestamp}${name ? `-${name}` : ''}`,
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
  };
}

// How many connections one instance may hold on PostgreSQL: enough for the hashing-bound sign-in
// paths and the hot reads of two cores, few enough for several instances under max_connections.
const POSTGRESQL_POOL_SIZE = 10;

export type OrmOptions = Options<AbstractSqlDriver, SqlEntityManager>;

export function ormOptions(config: Pick<Config, 'database'>): OrmOptions {
  const { database } = config;
  if (database.dialect === 'postgresql') {
    return {
      ...common('postgresql'),
      driver: PostgreSqlDriver,
      clientUrl: database.url,
      driverOptions: { connection: { ssl: postgresSsl(database.url) } },
      pool: { min: 0, max: POSTGRESQL_POOL_SIZE },
    };
  }
  return {
    ...common('sqlite'),
    driver: SqliteDriver,
    dbName: database.path,
    // mode=rw: a connection never creates the file (server/db/orm.ts creates it on first start only).
    driverOptions: {
      client: ImmediateSqliteDialect,
      connection: { filename: `${pathToFileURL(database.path).href}?mode=rw`, flags: ['OPEN_URI'] },
    },
    pool: sqlitePool(CONNECTION_PRAGMAS),
    // A second connection for the hot reads only (server/db/prepared.ts); the ORM's own queries
    // stay on the one above, which also serialises every write of this process.
    replicas: [{ name: 'read', pool: sqlitePool(READ_CONNECTION_PRAGMAS) }],
    preferReadReplicas: false,
  };
}
