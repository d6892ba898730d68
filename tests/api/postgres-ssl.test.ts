import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '#server/config.ts';
import { openDatabase } from '#server/db/orm.ts';
import { startPostgresCluster, type PostgresCluster } from '#tests/helpers/postgres-cluster.ts';
import { TEST_MASTER_KEY, adminSql, onPostgres } from '#tests/helpers/test-database.ts';
import { signUpAndVerify, startTestServer } from '#tests/helpers/test-server.ts';

// API.md §11: `?sslmode=require` (and libpq's verify-ca, verify-full with sslrootcert) is honoured.
// A cluster of its own that refuses unencrypted connections, with a certificate made here.

const run = promisify(execFile);
let cluster: PostgresCluster;
let dir: string;
let base: URL;

async function openssl(...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** A CA, and a server certificate it signs for `localhost` only (no IP address in it). */
async function makeCertificates(): Promise<void> {
  const subject = (name: string) => ['-subj', `/CN=${name}`];
  for (const ca of ['ca', 'other-ca'])
    await openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
      ...subject(ca),
    );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    ...subject('localhost'),
  );
  await fs.writeFile(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
  await fs.chmod(path.join(dir, 'server.key'), 0o600);
  if (process.getuid?.() === 0) await run('chown', ['-R', 'postgres', dir]);
}

beforeAll(async () => {
  if (!onPostgres) return;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-pg-tls-'));
  await fs.chmod(dir, 0o755);
  await makeCertificates();
  cluster = await startPostgresCluster();
  await adminSql(cluster.url, `alter system set ssl_cert_file = '${path.join(dir, 'server.pem')}'`);
  await adminSql(cluster.url, `alter system set ssl_key_file = '${path.join(dir, 'server.key')}'`);
  await adminSql(cluster.url, 'alter system set ssl = on');
  const hbaFile = (await adminSql(cluster.url, 'show hba_file')).trim();
  const hba = await fs.readFile(hbaFile, 'utf8');
  await fs.writeFile(hbaFile, `hostnossl all all 0.0.0.0/0 reject\n${hba}`);
  await adminSql(cluster.url, 'select pg_reload_conf()');
  base = new URL(cluster.url);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** The cluster's URL with another host and these parameters. */
function urlWith(params: Record<string, string>, host = '127.0.0.1'): string {
  const url = new URL(base);
  url.hostname = host;
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/** Opens the database as the server does and answers whether the connection is encrypted. */
async function encrypted(databaseUrl: string): Promise<boolean> {
  const orm = await openDatabase(loadConfig({ DATABASE_URL: databaseUrl, MASTER_KEY: TEST_MASTER_KEY, DATA_DIR: dir }));
  try {
    const [row] = await orm.em
      .fork()
      .getConnection()
      .execute<{ ssl: boolean }[]>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    return row!.ssl;
  } finally {
    await orm.close();
  }
}

describe.runIf(onPostgres)('DATABASE_URL sslmode', () => {
  test('sslmode=require: a server on a database that refuses unencrypted connections serves sign-ups', async () => {
    const server = await startTestServer({
      DATABASE_URL: urlWith({ sslmode: 'require' }),
      MASTER_KEY: TEST_MASTER_KEY,
    });
    try {
      const member = await signUpAndVerify(server);
      expect((await member.client.trpc.auth.me.query()).email).toBe(member.email);
    } finally {
      await server.close();
    }
    expect(await encrypted(urlWith({ sslmode: 'require' }))).toBe(true);
  });

  test('without sslmode the connection is not encrypted, and this database refuses it', async () => {
    await expect(encrypted(urlWith({}))).rejects.toThrow(/no encryption/);
  });

  test('verify-full with the root certificate connects to the host the certificate names, and refuses another name or CA', async () => {
    const ca = path.join(dir, 'ca.pem');
    expect(await encrypted(urlWith({ sslmode: 'verify-full', sslrootcert: ca }, 'localhost'))).toBe(true);
    await expect(encrypted(urlWith({ sslmode: 'verify-full', sslrootcert: ca }))).rejects.toThrow(/IP: 127\.0\.0\.1/);
    await expect(
      encrypted(urlWith({ sslmode: 'verify-full', sslrootcert: path.join(dir, 'other-ca.pem') }, 'localhost')),
    ).rejects.toThrow(/self[- ]signed|unable to verify|unable to get local issuer/i);
  });

  test('verify-ca checks the issuer but not the name', async () => {
    expect(await encrypted(urlWith({ sslmode: 'verify-ca', sslrootcert: path.join(dir, 'ca.pem') }))).toBe(true);
    await expect(
      encrypted(urlWith({ sslmode: 'verify-ca', sslrootcert: path.join(dir, 'other-ca.pem') })),
    ).rejects.toThrow(/self[- ]signed|unable to verify|unable to get local issuer/i);
  });

  test('an sslmode node-postgres cannot honour, or an unreadable sslrootcert, stops start-up with one line', async () => {
    expect(() => loadConfig({ DATABASE_URL: urlWith({ sslmode: 'prefer' }), MASTER_KEY: TEST_MASTER_KEY })).toThrow(
      /DATABASE_URL=.*sslmode must be one of disable, require, verify-ca, verify-full/,
    );
    await expect(
      encrypted(urlWith({ sslmode: 'verify-full', sslrootcert: path.join(dir, 'missing.pem') }, 'localhost')),
    ).rejects.toThrow(/^DATABASE_URL's sslrootcert .*missing\.pem cannot be read: ENOENT$/);
  });
});
