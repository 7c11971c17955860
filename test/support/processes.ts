/** Test helpers about processes: is one alive, and which ones a test started. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A live process (a zombie waiting for PID 1 to reap it counts as gone: it holds no resources). */
export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/**
 * Live processes that belong to a test: their command line names `dir` or they run in it, or
 * their working directory contains one of `cwdMarkers` (e.g. the host target's UnixBench install).
 * Each as "PID command", for a readable assertion message.
 */
export function processesUnder(dir: string, cwdMarkers: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const cwd = (() => { try { return readlinkSync(`/proc/${pid}/cwd`); } catch { return ''; } })();
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state === 'Z' || !cmd) continue;
      if (cmd.includes(dir) || cwd.startsWith(dir) || cwdMarkers.some((m) => cwd.includes(m))) out.push(`${pid} ${cmd.slice(0, 120)}`);
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}
