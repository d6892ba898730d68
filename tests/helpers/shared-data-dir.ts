import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freshDatabaseEnv } from './test-database.ts';

export type SharedDataDir = {
  dir: string;
  /** Environment for startTestServer: every server started with it uses this DATA_DIR and database. */
  env: Record<string, string>;
  remove(): Promise<void>;
};

/**
 * A DATA_DIR (keys, database, avatars) that outlives the servers started on it, so a test can
 * stop a server and start another on the same data: a restart. startTestServer's own temp
 * directory then goes unused, and its close() leaves this one alone.
 */
export async function sharedDataDir(): Promise<SharedDataDir> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-shared-'));
  return {
    dir,
    env: { DATA_DIR: dir, ...(await freshDatabaseEnv(dir)) },
    remove: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
