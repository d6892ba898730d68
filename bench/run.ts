// npm run bench [-- --quick | --only=me,login | --profile | --db=sqlite|postgres|both | --peer]: starts the production
// server (exactly as `npm start` runs it) on a temp database (SQLite, or a throwaway PostgreSQL cluster),
// seeds it, drives each scenario from this process with autocannon on 127.0.0.1, prints a table and
// writes bench/results.json. Method and figures: docs/benchmarks.md.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '#server/config.ts';
import { openDatabase } from '#server/db/orm.ts';
import { executeSql } from '#server/lib/sql.ts';
import { hashPassword, verifyPassword } from '#server/lib/passwords.ts';
import { openInstallKeys } from '#server/modules/keys/install-keys.ts';
import { DIALECT_LABELS, openBenchDatabase, type Dialect } from './databases.ts';
import { raiseOpenFilesLimit } from './fd-limit.ts';
import { Connections, openLoop, send, type OpenLoopRequest } from './open-loop.ts';
import { compareWithPeer, preparePeer, runPeer, type PeerRun } from './peer.ts';
import { cpuMs, peakRssMb } from './proc.ts';
import { prepareSignIns, registerBenchPasskey } from './passkey-flows.ts';
import { prepareCallbacks, registerBenchServer, startBenchProvider } from './provider-flows.ts';
import { seedFlyers, seedOrgWithNotices, seedSessions, seedUsers, settle, type SeededSession } from './seed.ts';
import { freePort } from '#tests/helpers/free-port.ts';

const QUICK = process.argv.includes('--quick');
// --only=baseline,refresh runs just those scenarios (the ids below), for working on one path.
const ONLY = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
// --profile writes the server's CPU profile (node --cpu-prof) to bench/profiles when it stops.
const PROFILE = process.argv.includes('--profile');
// --peer also runs Better Auth's harness (bench/peer.ts), interleaved with the same four scenarios here.
const PEER = process.argv.includes('--peer');
// Issue 20's open-loop rows: the members at once, and the fraction of measured capacity each row runs at.
const MEMBERS_AT_ONCE = QUICK ? 200 : 10_000;
const ME_OPEN_LOOP_SHARE = 0.5;
const LOGIN_OPEN_LOOP_SHARE = 0.5;
const DURATION = QUICK ? 1 : 10; // seconds per scenario
const PASSWORD = 'bench passphrase violet tractor 41';
// --db=postgres runs the scenarios on PostgreSQL, --db=both on SQLite and then on PostgreSQL.
const DB_CHOICES: Record<string, Dialect[]> = {
  sqlite: ['sqlite'],
  postgres: ['postgresql'],
  postgresql: ['postgresql'],
  both: ['sqlite', 'postgresql'],
};
function dialectsToRun(): Dialect[] {
  const choice = process.argv.find((arg) => arg.startsWith('--db='))?.slice('--db='.length) ?? 'sqlite';
  const dialects = DB_CHOICES[choice];
  if (!dialects) throw new Error(`--db=${choice}: expected one of ${Object.keys(DB_CHOICES).join(', ')}`);
  return dialects;
}
const DIALECTS = dialectsToRun();
const ROOT = path.resolve(import.meta.dirname, '..');

type Row = {
  id: string;
  scenario: string;
  connections: number;
  rps: number;
  /** Requests answered, for the server's CPU per request. */
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The server process's CPU time (all its threads) per answered request. */
  serverCpuMsPerRequest?: number;
  /** PostgreSQL's processes' CPU time per answered request (on SQLite that work is the server's). */
  databaseCpuMsPerRequest?: number;
  serverRssMb?: number;
};

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

/** The node flags and script of `npm run serve` (what `npm start` runs): the bench measures exactly what production runs. */
async function productionServerArgs(): Promise<{ flags: string[]; script: string }> {
  const { scripts } = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { serve: string };
  };
  const command = /exec node (.+)$/.exec(scripts.serve)?.[1]?.split(' ');
  if (!command) throw new Error('package.json\'s serve script no longer is "exec node <args>"');
  return { flags: command.slice(0, -1), script: command.at(-1)! };
}

// What a run has started or made, undone last first at its end, and also when it fails or is
// interrupted: a cluster or a temp directory left behind would outlive the bench.
const undo: (() => Promise<unknown>)[] = [];
let undoing: Promise<void> | undefined;

function undoAll(): Promise<void> {
  undoing ??= (async () => {
    for (let step = undo.pop(); step; step = undo.pop()) {
      await step().catch((error: unknown) => console.error('Cleaning up failed:', error));
    }
  })().finally(() => (undoing = undefined));
  return undoing;
}

// Ctrl-C or SIGTERM: clean up, then exit as the signal would have (a second Ctrl-C exits at once).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => void undoAll().then(() => process.exit(code)));
}

async function startServer(
  env: NodeJS.ProcessEnv,
  url: string,
  args: string[],
  readyPath = '/readyz',
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  undo.push(() => stopServer(child));
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`The server exited with ${child.exitCode}`);
    const ready = await fetch(`${url}${readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('The server did not become ready');
}

async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

let nextIp = 0;
/** Each request from its own address, so per-IP limits meet a crowd, not one client. */
const crowdIp = () => `198.18.${(++nextIp >> 8) & 255}.${nextIp & 255}`;

async function run(id: string, name: string, connections: number, options: Partial<autocannon.Options>): Promise<Row> {
  // A scenario runs for DURATION seconds, or until `amount` requests when it names one. Its rate
  // is timed to the last answer: autocannon's own duration waits for its next one-second tick.
  const started = performance.now();
  let lastAnswer = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { connections, ...(options.amount ? {} : { duration: DURATION }), ...options } as autocannon.Options,
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', () => (lastAnswer = performance.now()));
  });
  return {
    id,
    scenario: name,
    connections,
    rps: Math.round(result.requests.total / Math.max((lastAnswer - started) / 1000, 0.001)),
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Each connection cycles through its own slice of tokens. */
function bearerRequests(url: string, path: string, tokens: string[]): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: 'GET',
      path,
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
      }),
    },
  ];
}

/**
 * Every request presents the current refresh token of a session no other request in flight is
 * using, and the token the answer sets goes back to the pool: each refresh is a real rotation.
 * (autocannon clears a request's context before every request, so the pool lives out here.)
 */
function refreshRequests(sessions: SeededSession[], origin: string): autocannon.Request[] {
  const idle = sessions.map((session) => `refresh_token=${session.refreshToken}`);
  return [
    {
      method: 'POST',
      path: '/trpc/auth.refresh',
      setupRequest: (request) => {
        const cookie = idle.shift();
        if (!cookie) throw new Error('More refreshes in flight than sessions to rotate');
        return { ...request, headers: { ...request.headers, origin, cookie, 'content-type': 'application/json' } };
      },
      onResponse: (_status, _body, _context, headers?: http.IncomingHttpHeaders) => {
        const setCookie = headers?.['set-cookie'];
        const fresh = (Array.isArray(setCookie) ? setCookie : [setCookie]).find((value) =>
          value?.startsWith('refresh_token='),
        );
        if (fresh) idle.push(fresh.split(';')[0]!);
      },
    },
  ];
}

type TableRow = Omit<Row, 'id'> & { 'vs baseline': string };

type Summary = {
  machine: { cpus: number; model?: string; memoryGb: number; node: string };
  durationSeconds: number;
  argon2: { verifyMs: number; boundPerSecond: number; allCoresPerSecond: number; allCoresCpuMsPerVerify: number };
  baselineRps?: number;
  serverPeakRssMb: number;
  rows: TableRow[];
  ratios: Record<string, number | undefined>;
};

/** Starts the server on a fresh database of the dialect, seeds it, runs every scenario and stops it all again. */
/** One round of the peer comparison: the peer's run.sh, then the same scenarios here. */
type PeerRound = { round: number; peer: PeerRun; ours: Row[] };

async function benchOn(
  dialect: Dialect,
): Promise<{ rows: Row[]; summary: Summary; postgresVersion?: string; peerRounds: PeerRound[] }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-bench-'));
  undo.push(() => fs.rm(dataDir, { recursive: true, force: true }));
  const mail = await startMailSink();
  undo.push(mail.close);
  const database = await openBenchDatabase(dialect, dataDir);
  const provider = await startBenchProvider();
  undo.push(provider.close);
  undo.push(database.close);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    // A benchmark never reaches the internet; with one password for every sign-up the check would
    // be a single cached call anyway (API.md §16).
    PWNED_PASSWORDS: 'off',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATA_DIR: dataDir,
    ...database.env,
    RESEND_API_KEY: 'bench',
    RESEND_BASE_URL: mail.url,
    TRUST_PROXY: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...provider.env,
  };
  const config = loadConfig(env);
  const rows: Row[] = [];
  // A scenario's first-call row runs with it.
  const wanted = (id: string) => !ONLY || ONLY.includes(id.replace(/-first$/, ''));
  // Seeding before the server starts; the server applies nothing new and creates its keys.
  const passwordHash = await hashPassword(PASSWORD);
  let orm = await openDatabase(config);
  undo.push(() => orm.close());
  const users = await seedUsers(orm.em.fork(), QUICK ? 20 : 100, passwordHash);
  await seedFlyers(orm.em.fork(), users[0]!.id, 5);
  // The organization-scoped read: the first 5 users are its members, with 5 notices between them.
  const orgMembers = users.slice(0, 5);
  const orgId = await seedOrgWithNotices(orm.em.fork(), orgMembers, 5);
  const noticesPath = `/trpc/notices.list?input=${encodeURIComponent(JSON.stringify({ orgId }))}`;
  await orm.close();

  // One descriptor per member's connection, here and in the server (which inherits the limit).
  if (wanted('me-members-open')) raiseOpenFilesLimit(MEMBERS_AT_ONCE + 2048);
  const production = await productionServerArgs();
  const profiling = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench', 'profiles')}`] : [];
  const server = await startServer(env, url, [...profiling, ...production.flags, production.script]);
  const serverPid = server.pid!;
  await registerBenchServer(provider, url);
  orm = await openDatabase(config);
  const postgresVersion =
    dialect === 'postgresql'
      ? (await executeSql<{ server_version: string }[]>(orm.em.fork(), 'show server_version', [], 'all'))[0]
          ?.server_version
      : undefined;
  const { keys } = await openInstallKeys(orm, config, () => new Date());
  const sessionCount = QUICK ? 200 : 10_000;
  const many = await seedSessions(
    orm.em.fork(),
    keys,
    url,
    Array.from({ length: sessionCount }, (_, i) => users[i % users.length]!),
  );
  // Twice the connections: one session per request in flight, and some to spare.
  const refreshSessions = await seedSessions(
    orm.em.fork(),
    keys,
    url,
    Array.from({ length: 128 }, (_, i) => users[i % users.length]!),
  );
  // The seeding's after-work (SQLite's checkpoint, PostgreSQL's vacuum and statistics) now, not
  // in the server's measured time.
  await settle(orm.em.fork());

  // The Argon2 bound: how many verifications a second the machine can do at all. Measured
  // (median of many, the server idle) right before the sign-in scenarios it is compared with:
  // the machine's speed drifts over a run.
  // Also what the cores achieve with one verification each running at once and nothing else:
  // concurrent hashes share the memory bus, so this is the real ceiling for sign-in.
  let verifyMs = 0;
  let argon2Bound = 0;
  let argon2Parallel = 0;
  let argon2ParallelCpuMs = 0;
  const measureArgon2 = async () => {
    const times: number[] = [];
    for (let i = 0; i < (QUICK ? 3 : 31); i++) {
      const started = performance.now();
      await verifyPassword(passwordHash, PASSWORD);
      times.push(performance.now() - started);
    }
    verifyMs = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    argon2Bound = os.cpus().length / (verifyMs / 1000);
    const each = QUICK ? 2 : 30;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await Promise.all(
      Array.from({ length: os.cpus().length }, async () => {
        for (let i = 0; i < each; i++) await verifyPassword(passwordHash, PASSWORD);
      }),
    );
    argon2Parallel = (os.cpus().length * each) / ((performance.now() - started) / 1000);
    // What one verification costs in CPU when the cores each run one (they share the memory bus).
    const cpu = process.cpuUsage(cpuBefore);
    argon2ParallelCpuMs = (cpu.user + cpu.system) / 1000 / (os.cpus().length * each);
  };

  const loginBody = (i: number) => JSON.stringify({ email: users[i % users.length]!.email, password: PASSWORD });
  let logins = 0;
  let signUps = 0;
  /** A row with the server's (and database's) CPU per answered request and the peak RSS so far. */
  const measured = async (produce: () => Promise<Row>): Promise<Row> => {
    const cpuBefore = await cpuMs(serverPid);
    const databaseCpuBefore = await database.cpuMs();
    const row = await produce();
    const cpu = (await cpuMs(serverPid)) - cpuBefore;
    const databaseCpu = (await database.cpuMs()) - databaseCpuBefore;
    const perRequest = (ms: number) => Math.round((ms / Math.max(row.requests, 1)) * 100) / 100;
    return {
      ...row,
      serverCpuMsPerRequest: perRequest(cpu),
      ...(dialect === 'postgresql' ? { databaseCpuMsPerRequest: perRequest(databaseCpu) } : {}),
      serverRssMb: await peakRssMb(serverPid),
    };
  };
  const scenario = async (id: string, name: string, connections: number, options: Partial<autocannon.Options>) => {
    if (!wanted(id)) return;
    rows.push(await measured(() => run(id, name, connections, options)));
  };
  const login = (id: string, name: string) =>
    scenario(id, name, 16, {
      url,
      requests: [
        {
          method: 'POST',
          path: '/trpc/auth.login',
          setupRequest: (r) => ({
            ...r,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': crowdIp() },
            body: loginBody(logins++),
          }),
        },
      ],
    });
  const register = (id: string, name: string) =>
    scenario(id, name, 16, {
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
    });
  const me = (id: string, name: string, tokens: string[], amount?: number) =>
    scenario(id, name, 64, {
      url,
      requests: bearerRequests(url, '/trpc/auth.me', tokens),
      ...(amount ? { amount } : {}),
    });

  const rpsOf = (id: string) => rows.find((row) => row.id === id)?.rps;
  const openLoopRow = async (
    id: string,
    name: string,
    connections: number,
    rate: number,
    request: (n: number) => OpenLoopRequest,
  ) => {
    rows.push(
      await measured(async () => {
        const { max: _max, ...result } = await openLoop(rate, DURATION, request);
        return { id, scenario: name, connections, ...result };
      }),
    );
  };
  // Sign-in at a fixed rate of half what the closed-loop row above measured, each request from its
  // own address, on keep-alive connections opened as needed.
  const loginOpenLoop = async () => {
    if (!wanted('login-open')) return;
    const capacity = rpsOf('login') ?? 0;
    if (!capacity) throw new Error('login-open needs the login row of the same run (--only=login,login-open)');
    const rate = Math.max(1, Math.round(capacity * LOGIN_OPEN_LOOP_SHARE));
    const connections = new Connections(new URL(url));
    await openLoopRow(
      'login-open',
      `auth.login, open loop at ${rate}/s (${percent(LOGIN_OPEN_LOOP_SHARE)} of capacity)`,
      0,
      rate,
      (n) => ({
        method: 'POST',
        path: '/trpc/auth.login',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': crowdIp() },
        body: loginBody(n),
        connections,
      }),
    );
    // The connections it took: those open and idle at the end.
    rows.at(-1)!.connections = connections.size;
    connections.close();
  };
  // 10,000 members at once, each with its own session and its own keep-alive connection: first
  // each opens its connection and makes its first call (256 at a time; not timed), then all of
  // them call auth.me at a fixed combined rate, member after member.
  const membersOpenLoop = async () => {
    if (!wanted('me-members-open')) return;
    const capacity = rpsOf('me-sessions') ?? 0;
    if (!capacity) throw new Error('me-members-open needs the me-sessions row of the same run');
    const rate = Math.max(1, Math.round(capacity * ME_OPEN_LOOP_SHARE));
    const members = many.slice(0, MEMBERS_AT_ONCE).map((session) => ({
      headers: { authorization: `Bearer ${session.accessToken}` },
      connections: new Connections(new URL(url), 1),
    }));
    const call = (n: number): OpenLoopRequest => ({
      method: 'GET',
      path: '/trpc/auth.me',
      ...members[n % members.length]!,
    });
    let next = 0;
    const failed: number[] = [];
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        for (let n = next++; n < members.length; n = next++) {
          const status = await send(call(n));
          if (status !== 200) failed.push(status);
        }
      }),
    );
    if (failed.length)
      throw new Error(`${failed.length} members' first calls failed (${failed.slice(0, 5).join(', ')})`);
    const open = members.reduce((sum, member) => sum + member.connections.size, 0);
    await openLoopRow(
      'me-members-open',
      `auth.me, ${members.length} members at once, open loop at ${rate}/s (${percent(ME_OPEN_LOOP_SHARE)} of capacity)`,
      open,
      rate,
      call,
    );
    for (const member of members) member.connections.close();
  };

  // Warm-up, not recorded: the first seconds after a start measure the JIT, not the server.
  const warmUp = { connections: 64, duration: QUICK ? 1 : 3 };
  for (const options of [
    { url: `${url}/trpc/system.ping` },
    { url, requests: bearerRequests(url, '/trpc/auth.me', [many[1]!.accessToken]) },
    { url: `${url}/trpc/profile.get?input=${encodeURIComponent(JSON.stringify({ userId: users[1]!.id }))}` },
    { url, requests: bearerRequests(url, noticesPath, [many[1]!.accessToken]) },
  ]) {
    await autocannon({ ...warmUp, ...options } as autocannon.Options);
  }

  await scenario('baseline', 'baseline (system.ping)', 64, { url: `${url}/trpc/system.ping` });
  await me('me', 'auth.me, one session', [many[0]!.accessToken]);
  // Each session's first call, then the same sessions calling again, as the one session above
  // (its token was presented in the warm-up). A first call checks the token's signature; a
  // token this server issued itself needs no check (docs/benchmarks.md), these are the bench's.
  await me(
    'me-sessions-first',
    `auth.me, ${sessionCount} sessions, first call of each`,
    many.map((s) => s.accessToken),
    many.length,
  );
  await me(
    'me-sessions',
    `auth.me, ${sessionCount} sessions`,
    many.map((s) => s.accessToken),
  );
  await membersOpenLoop();
  await scenario('profile', 'profile.get (5 flyers)', 64, {
    url: `${url}/trpc/profile.get?input=${encodeURIComponent(JSON.stringify({ userId: users[0]!.id }))}`,
  });
  // Each of the org's members in turn (their sessions are the first in `many`): the session check,
  // the membership read of orgProcedure, the page of notices and their authors' names.
  await scenario('notices', 'notices.list (org member, 5 notices)', 64, {
    url,
    requests: bearerRequests(
      url,
      noticesPath,
      many.slice(0, orgMembers.length).map((s) => s.accessToken),
    ),
  });
  await scenario('refresh', 'auth.refresh', 64, { url, requests: refreshRequests(refreshSessions, url) });
  // Again after the fast scenarios: their ratios use the mean of both, so a drift in the
  // machine's speed during the run (it shares its host) weighs less.
  await scenario('baseline-after', 'baseline again', 64, { url: `${url}/trpc/system.ping` });
  await measureArgon2();
  await login('login', 'auth.login');
  await register('register', 'auth.register');
  await loginOpenLoop();

  if (wanted('provider-callback')) {
    const callbacks = await prepareCallbacks(provider, url, { members: 16, count: QUICK ? 32 : 600, ip: crowdIp });
    let nextCallback = 0;
    // A good callback is a 302 to returnTo ('/') with a session; autocannon counts every 3xx as non-2xx.
    let signedIn = 0;
    await scenario('provider-callback', 'provider sign-in callback (code exchange)', 16, {
      url,
      amount: callbacks.length,
      requests: [
        {
          method: 'GET',
          path: callbacks[0]!.path,
          setupRequest: (request) => {
            const callback = callbacks[nextCallback++ % callbacks.length]!;
            return {
              ...request,
              path: callback.path,
              headers: { cookie: callback.cookie, 'x-forwarded-for': callback.ip },
            };
          },
          onResponse: (status, _body, _context, headers) => {
            if (
              status === 302 &&
              headers?.location === '/' &&
              String(headers['set-cookie'] ?? '').includes('refresh_token=')
            )
              signedIn++;
          },
        },
      ],
    });
    const row = rows.at(-1);
    if (row?.id === 'provider-callback') row.non2xx = row.requests - signedIn;
  }

  if (wanted('passkey-signin')) {
    const authenticator = await registerBenchPasskey(url, {
      email: users[0]!.email,
      password: PASSWORD,
      ip: crowdIp(),
    });
    const signIns = await prepareSignIns(url, authenticator, { count: QUICK ? 32 : 600, ip: crowdIp });
    let nextSignIn = 0;
    // A good answer is a 200 that sets the refresh cookie; any other answer counts as non-2xx.
    let signedIn = 0;
    await scenario('passkey-signin', 'auth.passkeys.signIn', 16, {
      url,
      amount: signIns.length,
      requests: [
        {
          method: 'POST',
          path: '/trpc/auth.passkeys.signIn',
          setupRequest: (request) => {
            const signIn = signIns[nextSignIn++ % signIns.length]!;
            return {
              ...request,
              headers: { 'content-type': 'application/json', 'x-forwarded-for': signIn.ip },
              body: signIn.body,
            };
          },
          onResponse: (status, _body, _context, headers) => {
            if (status === 200 && String(headers?.['set-cookie'] ?? '').includes('refresh_token=')) signedIn++;
          },
        },
      ],
    });
    const row = rows.at(-1);
    if (row?.id === 'passkey-signin') row.non2xx = row.requests - signedIn;
  }

  // Scale: sign-in and the session check with 100 users, then with 100,000 in the table, one
  // right after the other, so that the machine's drift during the run does not count as scale.
  const bulk = QUICK ? 1_000 : 100_000;
  await login('login-small', `auth.login, ${users.length} users`);
  await me('me-small', `auth.me, ${users.length} users`, [many[0]!.accessToken]);
  if (wanted('login-bulk') || wanted('me-bulk')) {
    await seedUsers(orm.em.fork(), bulk - users.length, passwordHash, users.length);
    await settle(orm.em.fork());
  }
  await login('login-bulk', `auth.login, ${bulk} users`);
  await me('me-bulk', `auth.me, ${bulk} users`, [many[0]!.accessToken]);
  // Better Auth and Latchkey in turn, twice, on the same four scenarios (issue 20), after every
  // other scenario: the peer's rows first, each run.sh on its own fresh server and database, with
  // this server idle meanwhile. A peer run takes minutes and access tokens live 15 (API.md §3):
  // each round signs 200 sessions of its own and presents each once before measuring.
  const peerRounds: PeerRound[] = [];
  if (PEER && wanted('peer')) {
    // The rows so far, printed now: the rounds take many minutes on a busy machine.
    console.log('Rows before the peer rounds:');
    console.table(rows.map(({ id: _id, ...row }) => row));
    const peerDir = await preparePeer();
    for (let round = 1; round <= 2; round++) {
      const peer = await runPeer(peerDir, round, {
        scenarios: ['baseline-ok', 'get-session', 'sign-in', 'sign-up'],
        connections: [16, 64],
        quick: QUICK,
        track: (stop) => undo.push(async () => stop()),
      });
      const peerSessions = (
        await seedSessions(
          orm.em.fork(),
          keys,
          url,
          Array.from({ length: QUICK ? 20 : 200 }, (_, i) => users[i % users.length]!),
        )
      ).map((s) => s.accessToken);
      const connections = new Connections(new URL(url), 1);
      for (const token of peerSessions) {
        await send({
          method: 'GET',
          path: '/trpc/auth.me',
          headers: { authorization: `Bearer ${token}` },
          connections,
        });
      }
      connections.close();
      const before = rows.length;
      await scenario('peer', 'baseline (system.ping)', 64, { url: `${url}/trpc/system.ping` });
      await me('peer', `auth.me, ${peerSessions.length} sessions`, peerSessions);
      await login('peer', 'auth.login');
      await register('peer', 'auth.register');
      peerRounds.push({ round, peer, ours: rows.splice(before) });
    }
  }

  await orm.close();
  const peakRss = await peakRssMb(serverPid);
  await stopServer(server);

  // What the fixed stack costs by itself: Fastify + tRPC's adapter, one no-op query.
  if (wanted('bare')) {
    const barePort = await freePort();
    const bare = await startServer(
      { ...process.env, PORT: String(barePort) },
      `http://127.0.0.1:${barePort}`,
      [...production.flags, 'bench/bare-server.js'],
      '/trpc/ping',
    );
    const row = await run('bare', 'reference: bare Fastify + tRPC adapter, no-op', 64, {
      url: `http://127.0.0.1:${barePort}/trpc/ping`,
    });
    rows.push({ ...row, serverRssMb: await peakRssMb(bare.pid!) });
  }
  const argon2 = {
    verifyMs,
    boundPerSecond: argon2Bound,
    allCoresPerSecond: argon2Parallel,
    allCoresCpuMsPerVerify: argon2ParallelCpuMs,
  };
  return { rows, summary: summarize(rows, argon2, peakRss), postgresVersion, peerRounds };
}

/** The no-op baseline of a run: the mean of its measurements before and after the fast scenarios. */
function baselineOf(rows: Row[]): number | undefined {
  const baselines = rows.filter((row) => row.id === 'baseline' || row.id === 'baseline-after').map((row) => row.rps);
  return baselines.length > 0 ? baselines.reduce((sum, value) => sum + value, 0) / baselines.length : undefined;
}

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

function summarize(rows: Row[], argon2: Summary['argon2'], peakRss: number): Summary {
  const rps = (id: string) => rows.find((row) => row.id === id)?.rps;
  const baseline = baselineOf(rows);
  const ratio = (id: string, of: number | undefined) => (rps(id) !== undefined && of ? rps(id)! / of : undefined);
  return {
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    durationSeconds: DURATION,
    argon2: {
      verifyMs: Math.round(argon2.verifyMs * 10) / 10,
      boundPerSecond: Math.round(argon2.boundPerSecond),
      allCoresPerSecond: Math.round(argon2.allCoresPerSecond),
      allCoresCpuMsPerVerify: Math.round(argon2.allCoresCpuMsPerVerify * 10) / 10,
    },
    baselineRps: baseline && Math.round(baseline),
    serverPeakRssMb: peakRss,
    rows: rows.map(({ id: _id, ...row }) => ({ ...row, 'vs baseline': baseline ? percent(row.rps / baseline) : '' })),
    ratios: {
      meVsBaseline: ratio('me', baseline),
      profileVsBaseline: ratio('profile', baseline),
      noticesVsBaseline: ratio('notices', baseline),
      refreshVsBaseline: ratio('refresh', baseline),
      loginVsArgon2Bound: ratio('login', argon2.boundPerSecond),
      loginVsArgon2AllCores: ratio('login', argon2.allCoresPerSecond),
      registerVsArgon2Bound: ratio('register', argon2.boundPerSecond),
      providerCallbackVsBaseline: ratio('provider-callback', baseline),
      providerCallbackVsLogin: ratio('provider-callback', rps('login')),
      passkeySignInVsBaseline: ratio('passkey-signin', baseline),
      passkeySignInVsLogin: ratio('passkey-signin', rps('login')),
      manySessionsVsOne: ratio('me-sessions', rps('me')),
      manySessionsFirstCallVsOne: ratio('me-sessions-first', rps('me')),
      loginBulkVsSmall: ratio('login-bulk', rps('login-small')),
      meBulkVsSmall: ratio('me-bulk', rps('me-small')),
      baselineVsBareStack: ratio('baseline', rps('bare')),
    },
  };
}

function printSummary(summary: Summary): void {
  console.table(summary.rows);
  console.log(
    `Argon2id verify: ${summary.argon2.verifyMs} ms → bound ${summary.argon2.boundPerSecond}/s on ${os.cpus().length} cores (${summary.argon2.allCoresPerSecond}/s measured with one per core at once, ${summary.argon2.allCoresCpuMsPerVerify} ms CPU each). Server peak RSS: ${summary.serverPeakRssMb} MB.`,
  );
  console.log(
    Object.entries(summary.ratios)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}: ${percent(value!)}`)
      .join(' · '),
  );
}

type Target = { ratio: string; scenario: string; atLeast: number };

// Issue 17's target on either database: the organization-scoped read, membership check included.
const ORG_TARGETS: Target[] = [{ ratio: 'noticesVsBaseline', scenario: 'notices.list', atLeast: 0.5 }];

// Issue 14's targets on PostgreSQL, as ratios to the no-op baseline of the same run.
const TARGETS: Record<Dialect, Target[]> = {
  sqlite: ORG_TARGETS,
  postgresql: [
    { ratio: 'meVsBaseline', scenario: 'auth.me', atLeast: 0.7 },
    { ratio: 'profileVsBaseline', scenario: 'profile.get', atLeast: 0.5 },
    { ratio: 'refreshVsBaseline', scenario: 'auth.refresh', atLeast: 0.25 },
    ...ORG_TARGETS,
  ],
};

type TargetResult = { ratio: number | undefined; atLeast: number; met: boolean };

/** Prints the targets met or not; a run never fails on them (the machine's noise is larger than some margins). */
function checkTargets(dialect: Dialect, summary: Summary): Record<string, TargetResult> {
  const results = TARGETS[dialect].map(({ ratio, scenario, atLeast }) => {
    const measured = summary.ratios[ratio];
    const met = measured !== undefined && measured >= atLeast;
    const shown = measured === undefined ? 'not run' : percent(measured);
    console.log(
      `${DIALECT_LABELS[dialect]} target: ${scenario} ${shown} of the baseline, needs ≥ ${percent(atLeast)}: ${met ? 'pass' : 'FAIL'}`,
    );
    return [ratio, { ratio: measured, atLeast, met }] as const;
  });
  return Object.fromEntries(results);
}

/** One row per scenario: each dialect's rate, share of its own baseline, p99 and CPU per request. */
function sideBySide(runs: Partial<Record<Dialect, Row[]>>): Record<string, string | number>[] {
  const scenarios = [...new Set(Object.values(runs).flatMap((rows) => rows.map((row) => row.scenario)))];
  return scenarios.map((scenario) => {
    const line: Record<string, string | number> = { scenario };
    for (const [dialect, rows] of Object.entries(runs) as [Dialect, Row[]][]) {
      const label = DIALECT_LABELS[dialect];
      const row = rows.find((candidate) => candidate.scenario === scenario);
      const baseline = baselineOf(rows);
      const cpu =
        row?.serverCpuMsPerRequest === undefined
          ? ''
          : Math.round((row.serverCpuMsPerRequest + (row.databaseCpuMsPerRequest ?? 0)) * 100) / 100;
      line[`${label} req/s`] = row?.rps ?? '';
      line[`${label} vs baseline`] = row && baseline ? percent(row.rps / baseline) : '';
      line[`${label} p99 ms`] = row?.p99 ?? '';
      // PostgreSQL's processes' CPU included: on SQLite the same work is the server's.
      line[`${label} CPU ms/req`] = cpu;
    }
    return line;
  });
}

type Issue20Target = { target: string; measured: string; met: boolean };

/**
 * Issue 20's targets, printed with pass or fail like the others (the exit code does not depend
 * on them): the peer ratios of each round, sign-in CPU against one verification, peak RSS, and
 * the two open-loop rows.
 */
function checkIssue20(dialect: Dialect, summary: Summary, rows: Row[], rounds: PeerRound[]): Issue20Target[] {
  const results: Issue20Target[] = [];
  const add = (target: string, measured: string, met: boolean) => results.push({ target, measured, met });
  for (const { round, peer, ours } of rounds) {
    const peerRps = (scenario: string, connections: number) =>
      peer.rows.find((row) => row.scenario === scenario && row.connections === connections)?.rps ?? 0;
    const [, session, login, register] = ours;
    const versus = (label: string, mine: Row | undefined, theirs: number, atLeast: number) => {
      const value = mine && theirs ? mine.rps / theirs : 0;
      add(`round ${round}: ${label} ≥ ${atLeast}× the peer`, `${value.toFixed(2)}×`, value >= atLeast);
    };
    versus('session check', session, peerRps('get-session', 64), 3);
    versus('sign-in', login, peerRps('sign-in', 16), 1);
    versus('sign-up', register, peerRps('sign-up', 16), 1);
  }
  const login = rows.find((row) => row.id === 'login');
  if (login?.serverCpuMsPerRequest !== undefined) {
    const { verifyMs, allCoresCpuMsPerVerify } = summary.argon2;
    add(
      'sign-in server CPU ≤ one Argon2id verification + 3 ms',
      `${login.serverCpuMsPerRequest} ms against ${verifyMs} ms alone (${allCoresCpuMsPerVerify} ms with one per core at once)`,
      login.serverCpuMsPerRequest <= verifyMs + 3,
    );
  }
  add('server peak RSS ≤ 200 MB over the run', `${summary.serverPeakRssMb} MB`, summary.serverPeakRssMb <= 200);
  for (const [id, limit] of [
    ['me-members-open', 50],
    ['login-open', 100],
  ] as const) {
    const row = rows.find((candidate) => candidate.id === id);
    if (!row) continue;
    const failures = row.errors + row.non2xx;
    add(
      `${row.scenario}: p99 < ${limit} ms, no errors`,
      `p99 ${row.p99} ms, ${failures} errors`,
      row.p99 < limit && !failures,
    );
  }
  for (const { target, measured, met } of results) {
    console.log(`${DIALECT_LABELS[dialect]} issue 20: ${target}: ${measured}: ${met ? 'pass' : 'FAIL'}`);
  }
  return results;
}

/** Exit code 1 when any answer was an error or not 2xx. */
function reportFailures(dialect: Dialect, rows: Row[]): void {
  const failures = rows.filter((row) => row.errors > 0 || row.non2xx > 0);
  if (failures.length === 0) return;
  const where = DIALECTS.length > 1 ? ` on ${DIALECT_LABELS[dialect]}` : '';
  console.error(
    `Scenarios with errors${where}: ${failures.map((row) => `${row.scenario} (${row.errors} errors, ${row.non2xx} non-2xx)`).join(', ')}`,
  );
  process.exitCode = 1;
}

async function main() {
  const runs: Partial<Record<Dialect, Row[]>> = {};
  const results: Record<string, unknown> = {};
  for (const dialect of DIALECTS) {
    if (DIALECTS.length > 1) console.log(`\n${DIALECT_LABELS[dialect]}:`);
    const { rows, summary, postgresVersion, peerRounds } = await benchOn(dialect).finally(undoAll);
    runs[dialect] = rows;
    printSummary(summary);
    if (peerRounds.length > 0) {
      const comparison = compareWithPeer(peerRounds);
      console.log(`\nBetter Auth (its own harness) and Latchkey in turn on ${DIALECT_LABELS[dialect]}:`);
      console.table(comparison);
      Object.assign(summary, {
        peer: { comparison, rounds: peerRounds.map(({ round, peer }) => ({ round, ...peer })) },
      });
      reportFailures(
        dialect,
        peerRounds.flatMap((round) => round.ours),
      );
    }
    const targets = { ...checkTargets(dialect, summary), issue20: checkIssue20(dialect, summary, rows, peerRounds) };
    // The SQLite figures stay at the top level of results.json, where they have always been.
    if (dialect === 'sqlite') Object.assign(results, { ...summary, targets });
    else results.postgresql = { postgresVersion, ...summary, targets };
    reportFailures(dialect, rows);
  }
  if (DIALECTS.length > 1) {
    results.comparison = sideBySide(runs);
    console.log(
      "\nSide by side: each \"vs baseline\" is of its own run's no-op baseline; PostgreSQL's CPU per request includes its own processes'.",
    );
    console.table(results.comparison);
  }
  if (!QUICK && !ONLY)
    await fs.writeFile(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
