// The peer's harness (issue 20): Better Auth's server and load generator from
// /work/shared/peers/better-auth, run by its own run.sh in a scratch copy (the shared folder is
// read-only; node_modules there are kept between runs, run.sh installs them when missing).
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const SOURCE = process.env.PEER_DIR ?? path.resolve(import.meta.dirname, '../../shared/peers/better-auth');
const SCRATCH = path.join(os.tmpdir(), 'latchkey-peer-better-auth');

/** One row of the peer's results.json (load.mjs). */
export type PeerRow = {
  scenario: 'baseline-ok' | 'get-session' | 'sign-in' | 'sign-up';
  connections: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  mismatches: number;
  /** % of one core. */
  serverCpuPct: number | null;
  otherCpuPct: number | null;
  attempt: number;
};

export type PeerRun = {
  rows: PeerRow[];
  serverPeakRssMiB: number | null;
  hashCost?: { argon2id?: { verifyMs?: { median: number } } };
  server?: { versions?: Record<string, string> };
};

/** Copies the harness (without its results and modules) over the scratch copy, keeping the installed modules. */
export async function preparePeer(): Promise<string> {
  await fs.access(path.join(SOURCE, 'run.sh')).catch(() => {
    throw new Error(`--peer: no harness at ${SOURCE} (PEER_DIR overrides)`);
  });
  await fs.mkdir(SCRATCH, { recursive: true });
  for (const entry of await fs.readdir(SOURCE)) {
    if (entry === 'node_modules' || entry === 'results') continue;
    await fs.cp(path.join(SOURCE, entry), path.join(SCRATCH, entry), { recursive: true, force: true });
  }
  return SCRATCH;
}

/** One run of run.sh: hash cost, a fresh server and database, seeding, then each scenario at each connection count. */
export async function runPeer(
  dir: string,
  round: number,
  options: { scenarios: string[]; connections: number[]; quick: boolean; track: (stop: () => void) => void },
): Promise<PeerRun> {
  const out = path.join(dir, `results-round-${round}`);
  const env = {
    ...process.env,
    OUT_DIR: out,
    SCENARIOS: options.scenarios.join(','),
    CONNECTIONS: options.connections.join(','),
    ...(options.quick ? { DURATION: '1', WARMUP: '1', USERS: '20', HASH_SAMPLES: '3', NOISE_RETRIES: '0' } : {}),
  };
  // Its own process group, so that stopping the bench stops the peer's server too.
  const child = spawn('bash', ['run.sh'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  options.track(() => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
  });
  const code = await exited;
  if (code !== 0) throw new Error(`The peer's run.sh exited with ${code}`);
  const results = JSON.parse(await fs.readFile(path.join(out, 'results.json'), 'utf8')) as PeerRun & {
    scenarios: PeerRow[];
  };
  return { ...results, rows: results.scenarios };
}

/** What a row of ours needs to stand beside the peer's. */
type OurRow = { rps: number; p99: number; serverCpuMsPerRequest?: number; serverRssMb?: number };

// The peer's scenario and connection count for each of ours, in the order the rounds run them.
const MAPPED = [
  { scenario: 'no-op', peer: 'baseline-ok', connections: 64 },
  { scenario: 'session check', peer: 'get-session', connections: 64 },
  { scenario: 'sign-in', peer: 'sign-in', connections: 16 },
  { scenario: 'sign-up', peer: 'sign-up', connections: 16 },
] as const;

const ratio = (ours: number, peer: number) => (peer > 0 ? Math.round((ours / peer) * 100) / 100 : null);

/** Side by side per round: req/s, p99 and server CPU per request of both, and Latchkey ÷ peer. */
export function compareWithPeer(rounds: Array<{ round: number; peer: PeerRun; ours: OurRow[] }>) {
  return rounds.flatMap(({ round, peer, ours }) => {
    const lines = MAPPED.map((mapped, position) => {
      const theirs = peer.rows.find((row) => row.scenario === mapped.peer && row.connections === mapped.connections);
      const mine = ours[position];
      const peerCpu = theirs?.serverCpuPct != null && theirs.rps > 0 ? (theirs.serverCpuPct * 10) / theirs.rps : null;
      return {
        round,
        scenario: `${mapped.scenario}, ${mapped.connections} conn.`,
        'peer req/s': theirs?.rps ?? '',
        'peer p99 ms': theirs?.p99Ms ?? '',
        'peer CPU ms/req': peerCpu === null ? '' : Math.round(peerCpu * 100) / 100,
        'peer disturbed': theirs && (theirs.otherCpuPct ?? 0) > 10 ? 'yes' : '',
        'peer errors': theirs ? theirs.errors + theirs.mismatches + theirs.non2xx : '',
        'Latchkey req/s': mine?.rps ?? '',
        'Latchkey p99 ms': mine?.p99 ?? '',
        'Latchkey CPU ms/req': mine?.serverCpuMsPerRequest ?? '',
        'Latchkey ÷ peer': theirs && mine ? (ratio(mine.rps, theirs.rps) ?? '') : '',
      };
    });
    const ourPeak = Math.max(0, ...ours.map((row) => row.serverRssMb ?? 0));
    lines.push({
      round,
      scenario: 'server peak RSS MB (so far)',
      'peer req/s': peer.serverPeakRssMiB ?? '',
      'peer p99 ms': '',
      'peer CPU ms/req': '',
      'peer disturbed': '',
      'peer errors': '',
      'Latchkey req/s': ourPeak,
      'Latchkey p99 ms': '',
      'Latchkey CPU ms/req': '',
      'Latchkey ÷ peer': peer.serverPeakRssMiB ? (ratio(ourPeak, peer.serverPeakRssMiB) ?? '') : '',
    });
    return lines;
  });
}
