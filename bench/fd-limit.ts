// 10,000 members on their own connections need more than 10,000 descriptors in the bench process
// and as many in the server: raises this process's limit on open files (RLIMIT_NOFILE) with
// util-linux's prlimit before the server starts, which inherits it (docs/benchmarks.md).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

function openFilesLimit(): { soft: number; hard: number } {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  const value = (text: string | undefined) => (text === 'unlimited' ? Infinity : Number(text));
  return { soft: value(line?.[1]), hard: value(line?.[2]) };
}

/** Makes the soft limit at least `needed` (the hard limit too, when it is lower and this runs as root). */
export function raiseOpenFilesLimit(needed: number): number {
  const { soft, hard } = openFilesLimit();
  if (soft >= needed) return soft;
  const target = Math.max(needed, hard === Infinity ? needed : Math.min(hard, needed * 2));
  const raiseHard = target > hard;
  if (raiseHard && process.getuid?.() !== 0) {
    throw new Error(`The open-files limit is ${soft} (hard ${hard}); ${needed} are needed: raise it with ulimit -n`);
  }
  execFileSync('prlimit', [`--pid=${process.pid}`, `--nofile=${target}:${raiseHard ? target : hard}`]);
  return openFilesLimit().soft;
}
