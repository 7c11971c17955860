import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { LocalHost } from '../../src/hosts/local.js';
import { removeStaleBuilds, ROOTFS_BASE_PACKAGES, rootfsKey } from '../../src/providers/images/rootfs.js';

/**
 * A rootfs build killed half way (the harness SIGKILLed while debootstrap downloads) never leaves
 * a cache entry that looks complete, and the next build removes the half-built directory.
 */
const isRoot = process.getuid?.() === 0;
const hasDebootstrap = existsSync('/usr/sbin/debootstrap');

const CHILD = `
import { LocalHost } from './src/hosts/local.ts';
import { buildRootfs, ROOTFS_BASE_PACKAGES } from './src/providers/images/rootfs.ts';
await buildRootfs(new LocalHost(), { release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian', include: [...ROOTFS_BASE_PACKAGES] },
  (e) => process.stdout.write(e.message + '\\n'));
`;

function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    let kids: number[] = [];
    try {
      kids = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      continue;
    }
    for (const k of kids) out.push(k, ...descendants(k));
  }
  return out;
}

describe.skipIf(!isRoot || !hasDebootstrap)('rootfs cache after a killed build', () => {
  let cache: string;
  beforeAll(async () => {
    cache = await mkdtemp('/tmp/vbt4-rootfs-');
  });
  afterAll(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it('leaves no cache entry and the next build removes the partial one', async () => {
    const key = rootfsKey({ release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian', include: [...ROOTFS_BASE_PACKAGES] });
    const child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: process.cwd(), env: { VIRTBENCH_CACHE: cache }, reject: false, buffer: false,
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (/I: Retrieving|I: Validating/.test(out)) resolve();
      });
      void child.then((r) => reject(new Error(`build ended before it was killed (exit ${r.exitCode}): ${out}`)));
    });
    // The crash: the harness and everything it started, by PID, deepest first.
    const pids = [child.pid!, ...descendants(child.pid!)];
    for (const pid of pids.reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await child;
    const root = join(cache, 'rootfs');
    const names = readdirSync(root);
    expect(names).not.toContain(key);
    expect(names).toEqual([`.build-${key}-${child.pid}`]);
    expect(existsSync(join(root, names[0]!, 'manifest.json'))).toBe(false);

    const warned: string[] = [];
    process.env.VIRTBENCH_CACHE = cache;
    try {
      await removeStaleBuilds(new LocalHost(), key, (e) => warned.push(e.message));
    } finally {
      delete process.env.VIRTBENCH_CACHE;
    }
    expect(readdirSync(root), warned.join('\n')).toEqual([]);
    expect(warned.join('\n')).toContain('removing an interrupted build');
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(cache);
  });
});
