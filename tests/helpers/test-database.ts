import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const run = promisify(execFile);

/** The dialect this test run uses: the `postgresql` project of vite.config.ts sets TEST_DATABASE. */
export const TEST_DIALECT: 'sqlite' | 'postgresql' =
  process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
export const onPostgres = TEST_DIALECT === 'postgresql';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://… of a server the tests may create databases on (postgres-global-setup.ts). */
    postgresAdminUrl: string;
    /** A migrated database that every test database is copied from. */
    postgresTemplate: string;
  }
}

/** psql of the cluster's own version when Debian's server is there, else the one on PATH. */
export function psqlPath(): string {
  return process.env.PG_BINDIR ? path.join(process.env.PG_BINDIR, 'psql') : 'psql';
}

/** Runs one SQL command as the test server's superuser. */
export async function adminSql(adminUrl: string, sql: string): Promise<string> {
  const { stdout } = await run(psqlPath(), [adminUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql]);
  return stdout;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A new PostgreSQL database with no tables at all: the servers started on it migrate it. */
export async function emptyPostgresDatabase(): Promise<string> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await adminSql(adminUrl, `create database ${name}`);
  return withDatabase(adminUrl, name);
}

/** A new, migrated PostgreSQL database for one server (or one shared data directory). */
export async function freshPostgresDatabase(): Promise<string> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  // Two copies of one template at the same moment collide ("being accessed by other users"): retry.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminSql(adminUrl, `create database ${name} template ${inject('postgresTemplate')}`);
      return withDatabase(adminUrl, name);
    } catch (error) {
      if (attempt >= 50 || !String((error as { stderr?: string }).stderr).includes('being accessed')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
    }
  }
}

/** The MASTER_KEY of every PostgreSQL test server (on SQLite the servers make DATA_DIR/keys/master.key). */
export const TEST_MASTER_KEY = 'dGVzdC1tYXN0ZXIta2V5LW9mLWxhdGNoa2V5LXRlc3Q';

/** DATABASE_URL (and MASTER_KEY) for a fresh database of this run's dialect, the SQLite file inside `dataDir`. */
export async function freshDatabaseEnv(dataDir: string): Promise<Record<string, string>> {
  return onPostgres
    ? { DATABASE_URL: await freshPostgresDatabase(), MASTER_KEY: TEST_MASTER_KEY }
    : { DATABASE_URL: `sqlite:${path.join(dataDir, 'app.db')}` };
}
