// What the browser benchmarks share: generated trace files, and the browser's memory.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../tests/e2e/harness.mjs';

export const OUT = join(REPO, 'target', 'bench-traces');
const GEN = join(REPO, 'target', 'release', 'spanlens-gen');

/** Generated once per size and format (deterministic: fixed seed), kept in target/bench-traces/. */
export function traceFile(size, format, ext) {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${size}.${ext}`);
  if (!existsSync(file)) execFileSync(GEN, ['--spans', size, '--format', format, '--seed', '1', '-o', file], { stdio: 'inherit' });
  return file;
}

/** Proportional set size (KiB → bytes) summed over every descendant process of this node process. */
export function browserMemory() {
  const parent = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const isOurs = (pid) => {
    for (let p = parent.get(pid); p; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const pid of parent.keys()) {
    if (!isOurs(pid)) continue;
    try {
      const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
      if (m) total += Number(m[1]) * 1024;
    } catch {}
  }
  return total;
}

