/**
 * Where virtbench keeps its cache (images, downloads) and its state (ownership records, run keys)
 * on this machine.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the harness keeps cached images and downloads. Root uses /var/cache/virtbench
 * (images are built as root anyway); VIRTBENCH_CACHE overrides.
 */
export function cacheDir(): string {
  if (process.env.VIRTBENCH_CACHE) return process.env.VIRTBENCH_CACHE;
  if (process.getuid?.() === 0) return '/var/cache/virtbench';
  return join(homedir(), '.cache', 'virtbench');
}

/** Where the harness records what it owns on this host (guests, bridges), for `guests list|destroy`. */
export function stateDir(): string {
  if (process.env.VIRTBENCH_STATE) return process.env.VIRTBENCH_STATE;
  if (process.getuid?.() === 0) return '/var/lib/virtbench';
  return join(homedir(), '.local', 'state', 'virtbench');
}

/**
 * A run's own SSH key pair: in the state directory beside the ownership records (0700), never in
 * the run directory, whose results are shared. Removed when the run's guests are gone.
 */
export function runKeyDir(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(runId) || runId.includes('..')) throw new Error(`invalid run id ${JSON.stringify(runId)}`);
  return join(stateDir(), 'keys', runId);
}
