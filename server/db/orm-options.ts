import { pathToFileURL } from 'node:url';
import { defineConfig } from '@mikro-orm/sqlite';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '#server/config.ts';
import { ENTITIES } from '#server/db/entities.ts';
import { MIGRATIONS } from '#server/db/migrations/index.ts';

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

function pool(pragmas: string) {
  return {
    min: 1,
    max: 1,
    idleTimeoutMillis: 2 ** 31 - 1,
    afterCreate: (connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) => {
      connection.exec(pragmas, (error) => done(error, connection));
    },
  };
}

export function ormOptions(config: Pick<Config, 'databasePath'>) {
  return defineConfig({
    dbName: config.databasePath,
    // mode=rw: a connection never creates the file (server/db/orm.ts creates it on first start only).
    driverOptions: {
      connection: { filename: `${pathToFileURL(config.databasePath).href}?mode=rw`, flags: ['OPEN_URI'] },
    },
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: {
      path: 'server/db/migrations',
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
      emit: 'ts',
      fileName: (timestamp, name) => `migration-${timestamp}${name ? `-${name}` : ''}`,
    },
    pool: pool(CONNECTION_PRAGMAS),
    // A second connection for the hot reads only (server/db/prepared.ts); the ORM's own queries
    // stay on the one above, which also serialises every write of this process.
    replicas: [{ name: 'read', pool: pool(READ_CONNECTION_PRAGMAS) }],
    preferReadReplicas: false,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
  });
}
