/**
 * LXC provider benchmark: rootfs first-build time (debootstrap into an empty cache) and container
 * create-to-SSH time from the cached rootfs (goal < 10 s including the full rootfs copy, < 2 s
 * from lxc-start to sshd answering).
 *
 *   npm run bench:lxc -- [--repeat 3] [--skip-build] [--bridge virtbench0] [--subnet 10.213.0.0/24]
 *                        [--arch amd64] [--json out.json]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentProgress, stderrProgress } from '../src/core/progress.js';
import type { LxcTarget } from '../src/core/targets.js';
import { LocalHost } from '../src/hosts/local.js';
import { buildRootfs, ROOTFS_BASE_PACKAGES } from '../src/providers/images/rootfs.js';
import { LxcProvider } from '../src/providers/lxc/provider.js';
import { createRunKey } from '../src/remote/keys.js';

const { values: o } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    'skip-build': { type: 'boolean', default: false },
    bridge: { type: 'string', default: 'virtbench0' },
    subnet: { type: 'string', default: '10.213.0.0/24' },
    arch: { type: 'string', default: 'amd64' },
    prefix: { type: 'string', default: 'vbbench' },
    json: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const host = new LocalHost();
const image = { release: 'bookworm', arch: o.arch as 'amd64' | 'i386', mirror: 'http://deb.debian.org/debian' };
const progress = o.verbose ? stderrProgress : silentProgress;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};
const f = (x: number) => x.toFixed(2).padStart(7);

async function firstBuild(): Promise<number> {
  // An empty cache of its own, so the shared cache is neither used nor disturbed.
  const dir = await mkdtemp('/var/tmp/virtbench-bench-cache-');
  const saved = process.env.VIRTBENCH_CACHE;
  process.env.VIRTBENCH_CACHE = dir;
  try {
    const t = Date.now();
    await buildRootfs(host, { ...image, include: [...ROOTFS_BASE_PACKAGES] }, progress);
    return (Date.now() - t) / 1000;
  } finally {
    if (saved === undefined) delete process.env.VIRTBENCH_CACHE;
    else process.env.VIRTBENCH_CACHE = saved;
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const report: Record<string, unknown> = { arch: image.arch, when: new Date().toISOString(), load: (await host.readFile('/proc/loadavg')).toString().trim() };
  if (!o['skip-build']) {
    process.stderr.write('first build (debootstrap into an empty cache)...\n');
    report.firstBuildSeconds = await firstBuild();
    process.stdout.write(`rootfs first build:        ${f(report.firstBuildSeconds as number)} s\n`);
  }
  // Make sure the shared cache has the rootfs: the create-to-SSH numbers are from a cached rootfs.
  const cached = await buildRootfs(host, { ...image, include: [...ROOTFS_BASE_PACKAGES] }, progress);
  report.rootfsKey = cached.key;

  const work = await mkdtemp('/tmp/vbbench-');
  const key = await createRunKey(join(work, 'key'));
  const ctx = { host, runId: `bench-${process.pid}`, workDir: work, key, progress };
  const provider = new LxcProvider();
  const rows: { copy: number; startToSsh: number; createToSsh: number; provision: number; destroy: number }[] = [];
  try {
    for (let i = 0; i < Number(o.repeat); i++) {
      const spec: LxcTarget = { name: `${o.prefix}-${i}`, method: 'lxc', host: 'local', limits: {}, image, privileged: true, network: { bridge: o.bridge!, subnet: o.subnet! }, sshTimeoutSeconds: 60 };
      const t0 = Date.now();
      const g = await provider.provision(spec, ctx);
      const provision = (Date.now() - t0) / 1000;
      const t = g.facts.timings as { copySeconds: number; startToSshSeconds: number; createToSshSeconds: number };
      const t1 = Date.now();
      await provider.destroy(g, ctx);
      rows.push({ copy: t.copySeconds, startToSsh: t.startToSshSeconds, createToSsh: t.createToSshSeconds, provision, destroy: (Date.now() - t1) / 1000 });
      process.stderr.write(`  #${i + 1}: copy ${t.copySeconds.toFixed(2)} s, start-to-SSH ${t.startToSshSeconds.toFixed(2)} s, create-to-SSH ${t.createToSshSeconds.toFixed(2)} s\n`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const col = (k: keyof (typeof rows)[number]) => stats(rows.map((r) => r[k]));
  report.runs = rows;
  process.stdout.write(`\n${rows.length} containers from the cached rootfs (${cached.key}), seconds:\n`);
  process.stdout.write(`                              min  median     max   goal\n`);
  const line = (label: string, k: keyof (typeof rows)[number], goal?: number) => {
    const s = col(k);
    process.stdout.write(`${label.padEnd(24)}${f(s.min)} ${f(s.median)} ${f(s.max)}   ${goal === undefined ? '' : `< ${goal}${s.median < goal ? ' ok' : ' MISSED'}`}\n`);
  };
  line('rootfs copy', 'copy');
  line('start to SSH', 'startToSsh', 2);
  line('create to SSH', 'createToSsh', 10);
  line('provision (+checks)', 'provision');
  line('destroy', 'destroy');
  process.stdout.write(`load average at start: ${report.load}\n`);
  if (o.json) await writeFile(o.json, JSON.stringify(report, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:lxc: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
