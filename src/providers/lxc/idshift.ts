import { lchown, chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';

/**
 * An unprivileged container's root is a host uid range: shift every file of its private rootfs
 * copy by `base` (uid 0 -> base, 1000 -> base+1000), keeping setuid/setgid bits that chown clears.
 * Done in-process, so only on this machine.
 */
export async function shiftOwnership(host: CommandHost, root: string, base: number): Promise<number> {
  if (!host.isLocal) {
    throw new ProviderError('LXC_UNPRIVILEGED_REMOTE', `unprivileged containers on a remote host (${host.name}) are not supported yet`, { hint: 'set privileged: true for this target, or run virtbench on that host' });
  }
  let count = 0;
  const walk = async (path: string): Promise<void> => {
    const st = await lstat(path);
    await lchown(path, st.uid + base, st.gid + base);
    if (!st.isSymbolicLink() && (st.mode & 0o6000) !== 0) await chmod(path, st.mode & 0o7777);
    count++;
    if (st.isDirectory()) {
      for (const entry of await readdir(path)) await walk(join(path, entry));
    }
  };
  await walk(root);
  return count;
}
