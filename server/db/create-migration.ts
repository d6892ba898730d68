// Writes the migration that brings the checked-in migrations up to the current entities.
// Usage: npm run db:migration -- <camelCaseName> (it becomes part of a class name)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from './orm.ts';

const name = process.argv[2];
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-migration-'));
const orm = await openDatabase({ databasePath: path.join(dir, 'schema.db'), dataDir: dir });
try {
  const result = await orm.getMigrator().createMigration(undefined, false, false, name);
  if (result.diff.up.length === 0) {
    console.log('The entities match the migrations: nothing to write.');
  } else {
    console.log(
      `Wrote server/db/migrations/${result.fileName}. Add it to MIGRATIONS in server/db/migrations/index.ts.`,
    );
    // MikroORM's SQLite diff sees enum check constraints as changed and rebuilds those tables each time.
    console.log('Read it before committing: drop any "__temp_alter" table rebuild you did not ask for.');
  }
} finally {
  await orm.close();
  await fs.rm(dir, { recursive: true, force: true });
}
