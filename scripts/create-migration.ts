// Writes, for each dialect, the migration that brings its checked-in migrations up to the entities.
// Usage: npm run db:migration -- <camelCaseName> (it becomes part of a class name). PostgreSQL's is
// diffed on a throwaway cluster (Debian's postgresql package), or on TEST_DATABASE_URL when set.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseConfig } from '#server/config.ts';
import { openDatabase } from '#server/db/orm.ts';
import { startPostgresCluster } from '#tests/helpers/postgres-cluster.ts';

const name = process.argv[2];

async function write(database: DatabaseConfig, dataDir: string): Promise<void> {
  const orm = await openDatabase({ database, dataDir });
  try {
    const result = await orm.getMigrator().createMigration(undefined, false, false, name);
    if (result.diff.up.length === 0) {
      console.log(`${database.dialect}: the entities match the migrations, nothing to write.`);
    } else {
      console.log(
        `${database.dialect}: wrote server/db/migrations/${database.dialect}/${result.fileName}. Add it to the list in index.ts beside it.`,
      );
    }
  } finally {
    await orm.close();
  }
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-migration-'));
const cluster = process.env.TEST_DATABASE_URL ? undefined : await startPostgresCluster();
try {
  await write({ dialect: 'sqlite', path: path.join(dir, 'schema.db') }, dir);
  // MikroORM's SQLite diff sees enum check constraints as changed and rebuilds those tables each time.
  console.log('Read the SQLite one before committing: drop any "__temp_alter" table rebuild you did not ask for.');
  await write({ dialect: 'postgresql', url: process.env.TEST_DATABASE_URL ?? cluster!.url }, dir);
} finally {
  await cluster?.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
