import type { EntityManager } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { executeSql } from '#server/lib/sql.ts';

// The driver's connection and statement (node-sqlite3), as far as this module uses them.
type Statement = {
  all(params: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
  finalize(callback?: () => void): void;
};
type RawConnection = { prepare(sql: string, callback: (error: Error | null) => void): Statement; close(callback?: (error: Error | null) => void): void };
type Pool = { acquireConnection(): Promise<RawConnection>; releaseConnection(connection: RawConnection): Promise<unknown> };

const statementsByConnection = new WeakMap<RawConnection, Map<string, Statement>>();

function statementsOf(connection: RawConnection): Map<string, Statement> {
  let statements = statementsByConnection.get(connection);
  if (!statements) {
    const cache = new Map<string, Statement>();
    statements = cache;
    statementsByConnection.set(connection, cache);
    // SQLite refuses to close a connection with live statements: finalize them first.
    const close = connection.close.bind(connection);
    connection.close = (callback) => {
      for (const statement of cache.values()) statement.finalize();
      cache.clear();
      close(callback);
    };
  }
  return statements;
}

function prepare(connection: RawConnection, sql: string): Promise<Statement> {
  return new Promise((resolve, reject) => {
    const statement = connection.prepare(sql, (error) => (error ? reject(error) : resolve(statement)));
  });
}

type Lease = { connection: Promise<RawConnection>; users: number };
const readLeases = new WeakMap<Pool, Lease>();

/**
 * The read connection is shared by every read in flight (SQLite serialises them on it anyway)
 * and handed back to its pool when none is: a pool round trip per query costs as much as the
 * query. Handing it back when idle is what lets the ORM close the pool.
 */
async function withReadConnection<T>(pool: Pool, use: (connection: RawConnection) => Promise<T>): Promise<T> {
  let lease = readLeases.get(pool);
  if (!lease) {
    lease = { connection: pool.acquireConnection(), users: 0 };
    readLeases.set(pool, lease);
  }
  const current = lease;
  current.users++;
  try {
    return await use(await current.connection);
  } finally {
    if (--current.users === 0) {
      readLeases.delete(pool);
      current.connection.then((connection) => pool.releaseConnection(connection)).catch(() => {});
    }
  }
}

async function withWriteConnection<T>(pool: Pool, use: (connection: RawConnection) => Promise<T>): Promise<T> {
  // Through the pool each time: a transaction holds the one write connection until it ends.
  const connection = await pool.acquireConnection();
  try {
    return await use(connection);
  } finally {
    await pool.releaseConnection(connection);
  }
}

async function run<T>(connection: RawConnection, sql: string, params: unknown[]): Promise<T[]> {
  const statements = statementsOf(connection);
  const statement = statements.get(sql) ?? (await prepare(connection, sql));
  statements.set(sql, statement);
  return new Promise<T[]>((resolve, reject) => statement.all(params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
}

/**
 * Runs one statement of the hot paths (session check, auth.me, profile.get, refresh rotation) as
 * a statement prepared once per connection. The ORM's `execute` has knex build the query, the
 * pool hand out the connection and SQLite prepare the statement again on every call: about four
 * times the cost (docs/benchmarks.md).
 *
 * Reads go to the read connection (`replicas` in mikro-orm.config.ts: a second connection to the
 * same WAL database, so a read sees every committed write, never an uncommitted one, and does not
 * queue behind a write transaction). Inside a transaction the statement runs on it, unprepared.
 * Writes must say everything in this one statement (`returning` what the caller needs).
 */
export async function queryPrepared<T>(em: EntityManager, kind: 'read' | 'write', sql: string, params: unknown[]): Promise<T[]> {
  if (em.isInTransaction()) return executeSql<T[]>(em, sql, params, 'all');
  const pool = (em.getConnection(kind) as unknown as AbstractSqlConnection).getKnex().client as unknown as Pool;
  const withConnection = kind === 'read' ? withReadConnection : withWriteConnection;
  return withConnection(pool, (connection) => run<T>(connection, sql, params));
}
