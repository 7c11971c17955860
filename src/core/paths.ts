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
