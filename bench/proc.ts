// What the bench reads about processes from Linux's /proc: CPU time and peak memory.
import fs from 'node:fs/promises';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

type ProcessStat = {
  pid: number;
  ppid: number;
  name: string;
  /** CPU time of the process itself, all threads, in milliseconds. */
  cpuMs: number;
  /** CPU time of its children that have exited and been waited for, in milliseconds. */
  exitedChildrenCpuMs: number;
};

async function stat(pid: number): Promise<ProcessStat | undefined> {
  const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!text) return undefined;
  // The name may hold spaces and parentheses: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ms = (...ticks: (string | undefined)[]) =>
    (ticks.reduce((sum, value) => sum + Number(value), 0) * 1000) / CLOCK_TICKS_PER_SECOND;
  return {
    pid,
    ppid: Number(fields[1]),
    name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
    cpuMs: ms(fields[11], fields[12]),
    exitedChildrenCpuMs: ms(fields[13], fields[14]),
  };
}

/** CPU time the process has used so far, all threads, in milliseconds. */
export async function cpuMs(pid: number): Promise<number> {
  return (await stat(pid))?.cpuMs ?? 0;
}

export async function peakRssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function allProcesses(): Promise<ProcessStat[]> {
  const pids = (await fs.readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const stats = await Promise.all(pids.map(stat));
  return stats.filter((entry) => entry !== undefined);
}

/**
 * CPU time so far of every process named `name` that this process started (directly or through
 * e.g. runuser), with their exited children: PostgreSQL's postmaster and its backends, whose work
 * on SQLite would be the server's own. Other clusters on the machine are not descendants of ours.
 */
export async function descendantsCpuMs(name: string): Promise<number> {
  const processes = await allProcesses();
  const byPid = new Map(processes.map((entry) => [entry.pid, entry]));
  const ours = (entry: ProcessStat): boolean => {
    for (let parent = byPid.get(entry.ppid); parent; parent = byPid.get(parent.ppid)) {
      if (parent.pid === process.pid) return true;
    }
    return false;
  };
  return processes
    .filter((entry) => entry.name === name && ours(entry))
    .reduce((sum, entry) => sum + entry.cpuMs + entry.exitedChildrenCpuMs, 0);
}
