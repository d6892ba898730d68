import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startMailCapture, type MailCapture } from '#tests/helpers/mail-capture.ts';
import { processEnv, signUpOnProcess, startServerProcess, type ServerProcess } from '#tests/helpers/server-process.ts';
import { sharedDataDir, type SharedDataDir } from '#tests/helpers/shared-data-dir.ts';
import { emptyPostgresDatabase, onPostgres } from '#tests/helpers/test-database.ts';

// API.md §11: `npm run serve` serves what `npm run build` made, without building, so several
// instances (and restarts) of one build may start from one checkout at once.

const BUILT_SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/server/index.js');

let data: SharedDataDir;
let mail: MailCapture;
let instances: ServerProcess[] = [];

beforeAll(async () => {
  data = await sharedDataDir();
  // On PostgreSQL, a database with no tables yet: the three instances race to migrate it.
  if (onPostgres) data.env.DATABASE_URL = await emptyPostgresDatabase();
  mail = await startMailCapture();
});
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await mail?.close();
  await data?.remove();
});

test('npm run serve starts three instances at once on one fresh database without building, and each serves what another wrote', async () => {
  const builtAt = (await fs.stat(BUILT_SERVER)).mtimeMs;
  instances = await Promise.all(
    Array.from({ length: 3 }, () =>
      startServerProcess(processEnv(data, mail), { command: ['npm', 'run', '--silent', 'serve'], timeoutMs: 60_000 }),
    ),
  );
  expect((await fs.stat(BUILT_SERVER)).mtimeMs).toBe(builtAt);
  for (const instance of instances) {
    const ready = await fetch(`${instance.url}/readyz`);
    expect(ready.status).toBe(200);
  }
  // Migrated once, whoever came first: a member made through one signs in through the others.
  const member = await signUpOnProcess(instances[0]!, mail);
  for (const instance of instances.slice(1)) {
    const result = await instance.client().trpc.auth.login.mutate({ email: member.email, password: member.password });
    expect(result.status).toBe('signed_in');
  }
}, 120_000);
