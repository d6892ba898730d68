// npm run bench [-- --quick]: starts the production server on a temp database, seeds it, drives
// each scenario from this process with autocannon on 127.0.0.1, prints a table and writes
// bench/results.json. Method and figures: docs/benchmarks.md.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '#server/config.ts';
import { openDatabase } from '#server/db/orm.ts';
import { hashPassword, verifyPassword } from '#server/lib/passwords.ts';
import { loadKeyRing } from '#server/modules/keys/signing-keys.ts';
import { seedFlyers, seedSessions, seedUsers, type SeededSession } from './seed.ts';

const QUICK = process.argv.includes('--quick');
const DURATION = QUICK ? 1 : 10; // seconds per scenario
const PASSWORD = 'bench passphrase violet tractor 41';
const ROOT = path.resolve(import.meta.dirname, '..');

type Row = { scenario: string; connections: number; rps: number; p50: number; p99: number; errors: number; non2xx: number };

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Stands in for Resend's API: the mail path stays the production one, at no network cost. */
async function startMailSink(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":"bench"}'));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function startServer(env: NodeJS.ProcessEnv, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('The server did not become ready');
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

let nextIp = 0;
/** Each request from its own address, so per-IP limits meet a crowd, not one client. */
const crowdIp = () => `198.18.${(++nextIp >> 8) & 255}.${nextIp & 255}`;

async function run(name: string, connections: number, options: Partial<autocannon.Options>): Promise<Row> {
  const result = await autocannon({ connections, duration: DURATION, ...options } as autocannon.Options);
  return {
    scenario: name,
    connections,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Each connection cycles through its own slice of tokens. */
function bearerRequests(url: string, path: string, tokens: string[]): autocannon.Request[] {
  let next = 0;
  return [{ method: 'GET', path, setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` } }) }];
}

/** Each connection holds one session and presents the cookie the previous refresh set. */
function refreshRequests(sessions: SeededSession[], origin: string): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: 'POST',
      path: '/trpc/auth.refresh',
      setupRequest: (request, context: { cookie?: string }) => {
        context.cookie ??= `refresh_token=${sessions[next++ % sessions.length]!.refreshToken}`;
        return { ...request, headers: { ...request.headers, origin, cookie: context.cookie, 'content-type': 'application/json' } };
      },
      onResponse: (_status, _body, context: { cookie?: string }, headers?: http.IncomingHttpHeaders) => {
        const setCookie = headers?.['set-cookie'];
        const fresh = (Array.isArray(setCookie) ? setCookie : [setCookie]).find((value) => value?.startsWith('refresh_token='));
        if (fresh) context.cookie = fresh.split(';')[0];
      },
    },
  ];
}

async function main() {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-bench-'));
  const mail = await startMailSink();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:${path.join(dataDir, 'app.db')}`,
    RESEND_API_KEY: 'bench',
    RESEND_BASE_URL: mail.url,
    TRUST_PROXY: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const config = loadConfig(env);
  let server: ChildProcess | undefined;
  const rows: Row[] = [];
  try {
    // Seeding before the server starts; the server applies nothing new and creates its keys.
    const passwordHash = await hashPassword(PASSWORD);
    let orm = await openDatabase(config);
    const users = await seedUsers(orm.em.fork(), QUICK ? 20 : 100, passwordHash);
    await seedFlyers(orm.em.fork(), users[0]!.id, 5);
    await orm.close();

    server = await startServer(env, url);
    orm = await openDatabase(config);
    const keys = await loadKeyRing(config.dataDir);
    const sessionCount = QUICK ? 200 : 10_000;
    const many = await seedSessions(orm.em.fork(), keys, url, Array.from({ length: sessionCount }, (_, i) => users[i % users.length]!));
    const refreshSessions = await seedSessions(orm.em.fork(), keys, url, users.slice(0, 64));

    // The Argon2 bound: how many verifications a second the machine can do at all.
    const samples = QUICK ? 3 : 20;
    const started = performance.now();
    for (let i = 0; i < samples; i++) await verifyPassword(passwordHash, PASSWORD);
    const verifyMs = (performance.now() - started) / samples;
    const argon2Bound = os.cpus().length / (verifyMs / 1000);

    const loginBody = (i: number) => JSON.stringify({ email: users[i % users.length]!.email, password: PASSWORD });
    let logins = 0;
    let signUps = 0;
    const login = (name: string) =>
      run(name, 16, {
        url,
        requests: [{ method: 'POST', path: '/trpc/auth.login', setupRequest: (r) => ({ ...r, headers: { 'content-type': 'application/json', 'x-forwarded-for': crowdIp() }, body: loginBody(logins++) }) }],
      });

    rows.push(await run('baseline (system.ping)', 64, { url: `${url}/trpc/system.ping` }));
    const baseline = rows[0]!.rps;
    rows.push(await run('auth.me, one session', 64, { url, requests: bearerRequests(url, '/trpc/auth.me', [many[0]!.accessToken]) }));
    rows.push(await run(`auth.me, ${sessionCount} sessions`, 64, { url, requests: bearerRequests(url, '/trpc/auth.me', many.map((s) => s.accessToken)) }));
    rows.push(await run('profile.get (5 flyers)', 64, { url: `${url}/trpc/profile.get?input=${encodeURIComponent(JSON.stringify({ userId: users[0]!.id }))}` }));
    rows.push(await run('auth.refresh', 64, { url, requests: refreshRequests(refreshSessions, url) }));
    rows.push(await login('auth.login'));
    rows.push(
      await run('auth.register', 16, {
        url,
        requests: [
          {
            method: 'POST',
            path: '/trpc/auth.register',
            setupRequest: (r) => ({
              ...r,
              headers: { 'content-type': 'application/json', 'x-forwarded-for': crowdIp() },
              body: JSON.stringify({ email: `new-${signUps++}-${Date.now()}@bench.test`, password: PASSWORD }),
            }),
          },
        ],
      }),
    );

    // Scale: 100,000 users in the table, then sign-in and the session check again.
    const bulk = QUICK ? 1_000 : 100_000;
    await seedUsers(orm.em.fork(), bulk - users.length, passwordHash, users.length);
    rows.push(await login(`auth.login, ${bulk} users`));
    rows.push(await run(`auth.me, ${bulk} users`, 64, { url, requests: bearerRequests(url, '/trpc/auth.me', [many[0]!.accessToken]) }));
    await orm.close();

    const peakRss = await peakRssMb(server.pid!);
    const table = rows.map((row) => ({ ...row, 'vs baseline': `${Math.round((row.rps / baseline) * 100)}%` }));
    console.table(table);
    const summary = {
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      durationSeconds: DURATION,
      argon2: { verifyMs: Math.round(verifyMs * 10) / 10, boundPerSecond: Math.round(argon2Bound) },
      serverPeakRssMb: peakRss,
      rows: table,
      ratios: {
        meVsBaseline: rows[1]!.rps / baseline,
        profileVsBaseline: rows[3]!.rps / baseline,
        refreshVsBaseline: rows[4]!.rps / baseline,
        loginVsArgon2Bound: rows[5]!.rps / argon2Bound,
        registerVsArgon2Bound: rows[6]!.rps / argon2Bound,
        manySessionsVsOne: rows[2]!.rps / rows[1]!.rps,
        loginBulkVsSmall: rows[7]!.rps / rows[5]!.rps,
        meBulkVsSmall: rows[8]!.rps / rows[1]!.rps,
      },
    };
    console.log(`Argon2id verify: ${summary.argon2.verifyMs} ms → bound ${summary.argon2.boundPerSecond}/s on ${os.cpus().length} cores. Server peak RSS: ${peakRss} MB.`);
    console.log(Object.entries(summary.ratios).map(([name, value]) => `${name}: ${Math.round(value * 100)}%`).join(' · '));
    if (!QUICK) await fs.writeFile(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(summary, null, 2)}\n`);
    const failures = rows.filter((row) => row.errors > 0 || row.non2xx > 0);
    if (failures.length > 0) {
      console.error(`Scenarios with errors: ${failures.map((row) => `${row.scenario} (${row.errors} errors, ${row.non2xx} non-2xx)`).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    server?.kill('SIGTERM');
    await new Promise((resolve) => (server && server.exitCode === null ? server.once('exit', resolve) : resolve(null)));
    await mail.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();
