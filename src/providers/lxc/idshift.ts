/**
 * An unprivileged container's root is a host uid range: shift every file of its private rootfs
 * copy by `base` (uid 0 -> base, 1000 -> base+1000), keeping setuid/setgid bits that chown clears.
 * Done in-process, so only on this machine.
 */
import { lchown, chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PrerequisiteError, ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import { DEFAULT_IDMAP, type IdMap } from './config.js';

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

export const SUBID_FIX = 'usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root';

function rootRange(text: string): { start: number; count: number } | undefined {
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if ((who === 'root' || who === '0') && Number(count) >= 65536) return { start: Number(start), count: 65536 };
  }
  return undefined;
}

/**
 * The id map for an unprivileged container. When newuidmap is installed LXC goes through it, and it
 * only maps ranges /etc/subuid and /etc/subgid give root; without it any range works.
 */
export async function resolveIdMap(host: CommandHost): Promise<IdMap> {
  const newuidmap = (await host.run(['sh', '-c', 'command -v newuidmap'], { allowFailure: true })).exitCode === 0;
  if (!newuidmap) return DEFAULT_IDMAP;
  const read = async (f: string) => (await host.run(['cat', f], { allowFailure: true })).stdout;
  const u = rootRange(await read('/etc/subuid'));
  const g = rootRange(await read('/etc/subgid'));
  if (!u || !g || u.start !== g.start) {
    throw new PrerequisiteError('LXC_NO_SUBID', `root has no subordinate uid and gid range of 65536 starting at the same id in /etc/subuid and /etc/subgid on ${host.name} (needed by newuidmap for unprivileged containers)`, { hint: SUBID_FIX });
  }
  return { hostBase: u.start, count: 65536 };
}
