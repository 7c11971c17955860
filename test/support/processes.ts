import { readFileSync } from 'node:fs';

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
