import type { EntityManager } from '@mikro-orm/core';
import { queryPrepared } from './prepared.ts';

// Statements for 1, 2, 4, ... keys, the last ones padded with the first: a handful of prepared
// statements serve any batch.
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64];
const MAX_BATCH = BATCH_SIZES.at(-1)!;

type Waiting<Row> = {
  key: string;
  params: unknown[];
  resolve: (row: Row | undefined) => void;
  reject: (error: unknown) => void;
};
type Batch<Row> = { em: EntityManager; trailing: unknown[]; waiting: Waiting<Row>[] };

export type BatchedRead<Row> = (
  em: EntityManager,
  key: string,
  params: unknown[],
  trailing?: unknown[],
) => Promise<Row | undefined>;

/**
 * A read by key run on every request (the session check, the membership check). Reads arriving in
 * the same turn of the event loop are answered by one prepared statement: under load that is one
 * database call for dozens of requests instead of one each. Each read still happens after its
 * request arrived, so a revocation or a removal is seen by the very next request.
 *
 * `statementFor(size)` reads `size` keys, taking each key's `params` in turn and then `trailing`
 * (the same for the whole batch: the first read's); `keyOf` names the key a row answers.
 */
export function batchedRead<Row>(
  statementFor: (size: number) => string,
  keyOf: (row: Row) => string,
): BatchedRead<Row> {
  const statements = new Map<number, string>();
  const statement = (size: number) => {
    let sql = statements.get(size);
    if (!sql) statements.set(size, (sql = statementFor(size)));
    return sql;
  };

  async function readChunk(em: EntityManager, chunk: Waiting<Row>[], trailing: unknown[]): Promise<Row[]> {
    const size = BATCH_SIZES.find((candidate) => candidate >= chunk.length)!;
    const params = Array.from({ length: size }, (_, i) => (chunk[i] ?? chunk[0]!).params).flat();
    return queryPrepared<Row>(em, 'read', statement(size), [...params, ...trailing]);
  }

  async function answer({ em, trailing, waiting }: Batch<Row>): Promise<void> {
    const unique = [...new Map(waiting.map((read) => [read.key, read])).values()];
    const chunks = Array.from({ length: Math.ceil(unique.length / MAX_BATCH) }, (_, i) =>
      unique.slice(i * MAX_BATCH, (i + 1) * MAX_BATCH),
    );
    try {
      const rows = (await Promise.all(chunks.map((chunk) => readChunk(em, chunk, trailing)))).flat();
      const found = new Map(rows.map((row) => [keyOf(row), row]));
      for (const read of waiting) read.resolve(found.get(read.key));
    } catch (error) {
      for (const read of waiting) read.reject(error);
    }
  }

  // One batch per database (the driver is shared by every fork of one ORM).
  const batches = new WeakMap<object, Batch<Row>>();

  return (em, key, params, trailing = []) => {
    // Inside a transaction the read must see its writes, on its connection: alone, at once.
    if (em.isInTransaction()) {
      return readChunk(em, [{ key, params, resolve: () => {}, reject: () => {} }], trailing).then((rows) =>
        rows.find((row) => keyOf(row) === key),
      );
    }
    const driver = em.getDriver();
    let batch = batches.get(driver);
    if (!batch) {
      const fresh: Batch<Row> = { em, trailing, waiting: [] };
      batch = fresh;
      batches.set(driver, fresh);
      setImmediate(() => {
        batches.delete(driver);
        void answer(fresh);
      });
    }
    const { waiting } = batch;
    return new Promise((resolve, reject) => waiting.push({ key, params, resolve, reject }));
  };
}
