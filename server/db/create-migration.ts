// Writes the migration that brings the checked-in migrations up to the current entities.
// Usage: npm run db:migration -- <short-name>
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from './orm.ts';

const name = process.argv[2];
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-migration-'));
const orm = await openDatabase({ databasePath: path.join(dir, 'schema.db') });
try {
  const result = await orm.getMigrator().createMigration(undefined, false, false, name);
  if (result.diff.up.length === 0) {
    console.log('The entities match the migrations: nothing to write.');
  } else {
    console.log(`Wrote server/db/migrations/${result.fileName}. Add it to MIGRATIONS in server/db/migrations/index.ts.`);
  }
} finally {
  await orm.close();
  await fs.rm(dir, { recursive: true, force: true });
}
