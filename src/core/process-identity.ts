/**
 * A process is identified by its PID *and* its start time (field 22 of /proc/<pid>/stat, in
 * clock ticks since boot): a PID alone may have been recycled by an unrelated process.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ProcessIdentity {
  pid: number;
  /** Start time from /proc/<pid>/stat; absent where /proc is not readable. */
  startTime?: string;
}

function parseStat(text: string): { state: string; startTime: string } | undefined {
  // The command name (field 2) is in parentheses and may itself hold spaces and ")".
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const startTime = rest[19];
  return state && startTime && /^\d+$/.test(startTime) ? { state, startTime } : undefined;
}

export function ownIdentity(): ProcessIdentity {
  try {
    const s = parseStat(readFileSync('/proc/self/stat', 'utf8'));
    return s ? { pid: process.pid, startTime: s.startTime } : { pid: process.pid };
  } catch {
    return { pid: process.pid };
  }
}

/**
 * True when the process is still running: the PID exists, is not a zombie, and (when a start time
 * was recorded) started at that time. Without /proc it falls back to a signal-0 probe.
 */
export async function processAlive(id: ProcessIdentity): Promise<boolean> {
  if (!Number.isInteger(id.pid) || id.pid <= 0) return false;
  let text: string;
  try {
    text = await readFile(`/proc/${id.pid}/stat`, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    try {
      process.kill(id.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const s = parseStat(text);
  if (!s || s.state === 'Z' || s.state === 'X') return false;
  return id.startTime === undefined || s.startTime === id.startTime;
}
