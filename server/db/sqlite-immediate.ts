import { createRequire } from 'node:module';
import { SqliteKnexDialect } from '@mikro-orm/knex';

type KnexTransaction = {
  begin(connection: unknown): Promise<unknown>;
  trxClient: { query(connection: unknown, sql: string): Promise<unknown> };
};
type TransactionClass = new (...args: unknown[]) => KnexTransaction;

// knex has no option for the kind of BEGIN; its SQLite transaction class is not exported by name.
const SqliteTransaction = createRequire(import.meta.url)(
  'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js',
) as TransactionClass;

/**
 * A deferred transaction that reads first and then writes cannot wait for another process's write
 * (SQLite answers busy at once, the busy timeout does not apply): with several instances on one
 * file, every transaction takes the write lock at BEGIN instead and waits its turn. One process
 * writes through one connection, so this costs nothing within an instance.
 */
class ImmediateTransaction extends SqliteTransaction {
  override begin(connection: unknown) {
    // Not through this.query: it swallows a failed BEGIN and runs the work outside any transaction.
    return this.trxClient.query(connection, 'BEGIN IMMEDIATE;');
  }
}

/** The knex client of the SQLite driver, with write-locking transactions. */
export class ImmediateSqliteDialect extends SqliteKnexDialect {
  transaction(...args: unknown[]) {
    return new ImmediateTransaction(this, ...args);
  }
}
