import type { EntityManager } from '@mikro-orm/core';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { executeSql } from '#server/lib/sql.ts';

// The driver's connection and statement (node-sqlite3), as far as this module uses them.
type Statement = {
  all(params: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
  finalize(callback: () => void): void;
};
type RawConnection = {
  prepare(sql: string, callback: (error: Error | null) => void): Statement;
  close(callback?: (error: Error | null) => void): void;
};
// knex's client, and its tarn pool.
type Pool = {
  acquireConnection(): Promise<RawConnection>;
  releaseConnection(connection: RawConnection): Promise<unknown>;
  pool?: { numPendingAcquires(): number };
};

// node-sqlite3 runs one call of a statement at a time, and the next only after the last one's
// callback has run on the main thread: with one statement per query, a busy event loop stalls
// every request behind it. A few copies of each let SQLite start the next call at once.
const COPIES_PER_STATEMENT = 4;

type Copy = { statement: Promise<Statement>; inFlight: number };
const statementsByConnection = new WeakMap<RawConnection, Map<string, Copy[]>>();

function statementsOf(connection: RawConnection): Map<string, Copy[]> {
  let statements = statementsByConnection.get(connection);
  if (!statements) {
    const cache = new Map<string, Copy[]>();
    statements = cache;
    statementsByConnection.set(connection, cache);
    // SQLite refuses to close a connection with live statements: finalize them first.
    const close = connection.close.bind(connection);
    connection.close = (callback) => {
      const copies = [...cache.values()].flat();
      cache.clear();
      void Promise.allSettled(
        copies.map((copy) => copy.statement.then((statement) => new Promise<void>((done) => statement.finalize(done)))),
      ).then(() => close(callback));
    };
  }
  return statements;
}

function prepare(connection: RawConnection, sql: string): Promise<Statement> {
  return new Promise((resolve, reject) => {
    const statement = connection.prepare(sql, (error) => (error ? reject(error) : resolve(statement)));
  });
}

/** An idle copy of the statement, prepared when every copy so far is busy (up to the limit). */
function copyOf(connection: RawConnection, sql: string): Copy {
  const statements = statementsOf(connection);
  let copies = statements.get(sql);
  if (!copies) statements.set(sql, (copies = []));
  let copy = copies.find((candidate) => candidate.inFlight === 0);
  if (!copy && copies.length < COPIES_PER_STATEMENT) {
    copy = { statement: prepare(connection, sql), inFlight: 0 };
    const added = copy;
    copies.push(added);
    // A statement that fails to prepare is not kept: the next call tries again (and fails alike).
    added.statement.catch(() => copies.splice(copies.indexOf(added), 1));
  }
  return copy ?? copies.reduce((least, candidate) => (candidate.inFlight < least.inFlight ? candidate : least));
}

type Lease = { connection: Promise<RawConnection>; users: number };
const leases = new WeakMap<Pool, Lease>();

/**
 * A connection is shared by every statement of this module in flight on it (SQLite serialises
 * them anyway, each in its own implicit transaction) and handed back to its pool when none is:
 * a pool round trip per statement costs as much as the statement, and a queue per statement
 * stalls behind a busy event loop. As soon as anyone else waits for the pool (the ORM, for a
 * transaction), new statements stop joining, so the lease ends and the waiter goes first.
 */
async function withConnection<T>(pool: Pool, use: (connection: RawConnection) => Promise<T>): Promise<T> {
  let lease = leases.get(pool);
  if (!lease || (pool.pool?.numPendingAcquires() ?? 0) > 0) {
    lease = { connection: pool.acquireConnection(), users: 0 };
    leases.set(pool, lease);
  }
  const current = lease;
  current.users++;
  try {
    return await use(await current.connection);
  } finally {
    if (--current.users === 0) {
      if (leases.get(pool) === current) leases.delete(pool);
      current.connection.then((connection) => pool.releaseConnection(connection)).catch(() => {});
    }
  }
}

async function run<T>(connection: RawConnection, sql: string, params: unknown[]): Promise<T[]> {
  const copy = copyOf(connection, sql);
  copy.inFlight++;
  try {
    const statement = await copy.statement;
    return await new Promise<T[]>((resolve, reject) =>
      statement.all(params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))),
    );
  } finally {
    copy.inFlight--;
  }
}

export type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

// PostgreSQL (node-postgres): a named statement is parsed once per connection and reused.
type PgConnection = {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
};
const pgStatements = new Map<string, { name: string; text: string }>();

/** `?` placeholders as PostgreSQL's `$1, $2, ...`; the statements of this module have no `?` in literals. */
function pgStatement(sql: string): { name: string; text: string } {
  let statement = pgStatements.get(sql);
  if (!statement) {
    let position = 0;
    statement = { name: `latchkey_${pgStatements.size + 1}`, text: sql.replace(/\?/g, () => `$${++position}`) };
    pgStatements.set(sql, statement);
  }
  return statement;
}

/** Runs a statement of this module on a node-postgres connection, as a named statement. */
const pgQuery =
  (connection: PgConnection): Query =>
  async <T>(sql: string, params: unknown[]) =>
    (await connection.query({ ...pgStatement(sql), values: params })).rows as T[];

async function runOnPostgres<T>(pool: Pool, sql: string, params: unknown[]): Promise<T[]> {
  const connection = (await pool.acquireConnection()) as unknown as PgConnection;
  try {
    return await pgQuery(connection)<T>(sql, params);
  } finally {
    await pool.releaseConnection(connection as unknown as RawConnection);
  }
}

type Dialect = 'sqlite3' | 'postgresql';
type KnexClient = Pool & { dialect: Dialect };

const clientOf = (em: EntityManager, kind: 'read' | 'write' = 'write') =>
  (em.getConnection(kind) as unknown as AbstractSqlConnection).getKnex().client as unknown as KnexClient;

/** Which database the unit of work talks to: the stores of server/db/stores/ differ by it. */
export function dialectOf(em: EntityManager): 'sqlite' | 'postgresql' {
  return clientOf(em).dialect === 'postgresql' ? 'postgresql' : 'sqlite';
}

/**
 * PostgreSQL: runs `work` in one transaction, on the unit of work's own when it has one, else on
 * a connection of the pool (BEGIN ... COMMIT, ROLLBACK on any error). For the check-and-write
 * statements that need a lock taken first under READ COMMITTED.
 */
export async function inPostgresTransaction<T>(em: EntityManager, work: (query: Query) => Promise<T>): Promise<T> {
  if (em.isInTransaction()) return work((sql, params) => executeSql(em, sql, params, 'all'));
  const pool = clientOf(em);
  const connection = (await pool.acquireConnection()) as unknown as PgConnection & {
    query(sql: string): Promise<unknown>;
  };
  try {
    await connection.query('begin');
    const result = await work(pgQuery(connection));
    await connection.query('commit');
    return result;
  } catch (error) {
    await connection.query('rollback').catch(() => {});
    throw error;
  } finally {
    await pool.releaseConnection(connection as unknown as RawConnection);
  }
}

/** Whether a flush would write anything: the changes the unit of work holds that are not yet sent. */
function hasPendingChanges(em: EntityManager): boolean {
  const uow = em.getUnitOfWork();
  uow.computeChangeSets();
  return uow.getChangeSets().length > 0 || uow.getCollectionUpdates().length > 0;
}

/** SQLite: `work` in one write transaction on the write connection, held alone until it ends. */
async function inSqliteTransaction<T>(pool: Pool, work: (query: Query) => Promise<T>): Promise<T> {
  const connection = await pool.acquireConnection();
  const query: Query = (sql, params) => run(connection, sql, params);
  try {
    // IMMEDIATE, as the ORM's own transactions (server/db/sqlite-immediate.ts).
    await query('begin immediate', []);
    const result = await work(query);
    await query('commit', []);
    return result;
  } catch (error) {
    await query('rollback', []).catch(() => {});
    throw error;
  } finally {
    await pool.releaseConnection(connection);
  }
}

/**
 * Runs `work`, statements of this module, in one write transaction with whatever the unit of work
 * holds unflushed, so both are written or neither: on the unit of work's transaction when it has
 * one; in a new one of the ORM's when it has changes to flush; else as prepared statements in a
 * transaction of their own, which costs a fraction of the ORM's flush (docs/decisions/0029).
 */
export async function inWriteTransaction<T>(em: EntityManager, work: (query: Query) => Promise<T>): Promise<T> {
  const onUnitOfWork: Query = (sql, params) => executeSql(em, sql, params, 'all');
  if (em.isInTransaction()) {
    await em.flush();
    return work(onUnitOfWork);
  }
  if (hasPendingChanges(em)) {
    await em.begin();
    try {
      await em.flush();
      const result = await work(onUnitOfWork);
      await em.commit();
      return result;
    } catch (error) {
      await em.rollback();
      throw error;
    }
  }
  if (clientOf(em).dialect === 'postgresql') return inPostgresTransaction(em, work);
  return inSqliteTransaction(clientOf(em), work);
}

/**
 * Runs one statement of the hot paths (session check, auth.me, profile.get, refresh rotation,
 * limits) as a statement prepared once per connection. The ORM's `execute` has knex build the
 * query, the pool hand out the connection and the database parse the statement again on every
 * call: about four times the cost (docs/benchmarks.md). Bind `Date`s for instants, never numbers.
 *
 * On SQLite, reads go to the read connection (`replicas` in orm-options.ts: a second connection to
 * the same WAL database, so a read sees every committed write, never an uncommitted one, and does
 * not queue behind a write transaction). On PostgreSQL every statement goes to the primary's pool,
 * so a read sees the latest committed write. Inside a transaction the statement runs on it,
 * unprepared. Writes must say everything in this one statement (`returning` what the caller needs).
 */
export async function queryPrepared<T>(
  em: EntityManager,
  kind: 'read' | 'write',
  sql: string,
  params: unknown[],
): Promise<T[]> {
  if (em.isInTransaction()) return executeSql<T[]>(em, sql, params, 'all');
  const client = clientOf(em, kind);
  if (client.dialect === 'postgresql') return runOnPostgres<T>(client, sql, params);
  return withConnection(client, (connection) => run<T>(connection, sql, params));
}
