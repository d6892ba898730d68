// The database a bench run measures the server on: the embedded SQLite file in the run's data
// directory, or a throwaway PostgreSQL cluster started the way the tests start theirs.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startPostgresCluster } from '#tests/helpers/postgres-cluster.ts';
import { descendantsCpuMs } from './proc.ts';

export type Dialect = 'sqlite' | 'postgresql';

export const DIALECT_LABELS: Record<Dialect, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

export type BenchDatabase = {
  /** DATABASE_URL, and on PostgreSQL the MASTER_KEY it requires, for the server and the seeding. */
  env: Record<string, string>;
  /**
   * CPU time the database's own processes have used so far, in ms: on PostgreSQL the work SQLite
   * does inside the server process, so that both dialects' CPU per request count the same work.
   */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
};

function sqlite(dataDir: string): BenchDatabase {
  return {
    env: { DATABASE_URL: `sqlite:${path.join(dataDir, 'app.db')}` },
    cpuMs: async () => 0,
    close: async () => {},
  };
}

async function postgresql(): Promise<BenchDatabase> {
  const cluster = await startPostgresCluster();
  return {
    // A fresh key each run: the cluster, and the keys it seals, live for this run only.
    env: { DATABASE_URL: cluster.url, MASTER_KEY: randomBytes(32).toString('base64url') },
    cpuMs: () => descendantsCpuMs('postgres'),
    close: () => cluster.stop(),
  };
}

export function openBenchDatabase(dialect: Dialect, dataDir: string): Promise<BenchDatabase> {
  return dialect === 'sqlite' ? Promise.resolve(sqlite(dataDir)) : postgresql();
}
