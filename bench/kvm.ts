/**
 * KVM provider benchmark: image build time, cached-image boot-to-SSH time, shutdown time.
 *   npm run bench:kvm                 # image from the cache when present (its recorded build time is shown)
 *   npm run bench:kvm -- --cold       # build the image in a fresh cache (full debootstrap)
 *   npm run bench:kvm -- --boots 3    # boot/shutdown several times
 * Under `accel: auto` the guest runs under KVM if KVM really boots here, else TCG (said loudly).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stderrProgress } from '../src/core/progress.js';
import type { KvmTarget } from '../src/core/targets.js';
import { LocalHost } from '../src/hosts/local.js';
import { buildDiskImage, type DiskImageManifest } from '../src/providers/images/disk-image.js';
import type { KvmHandle } from '../src/providers/kvm/lifecycle.js';
import { stopGuest } from '../src/providers/kvm/lifecycle.js';
import { KvmProvider } from '../src/providers/kvm/provider.js';
import { createRunKey } from '../src/remote/keys.js';

const args = process.argv.slice(2);
const cold = args.includes('--cold');
const boots = Number(args[args.indexOf('--boots') + 1] ?? 1) || 1;
const accel = (args.includes('--tcg') ? 'tcg' : 'auto') as KvmTarget['accel'];

const work = await mkdtemp(join(tmpdir(), 'vbt5-bench-'));
if (cold) process.env.VIRTBENCH_CACHE = join(work, 'cache');
const host = new LocalHost();
const image = { kind: 'debootstrap' as const, release: 'bookworm', arch: 'amd64' as const, mirror: 'http://deb.debian.org/debian' };
const progress = process.env.VIRTBENCH_DEBUG ? stderrProgress : () => {};

try {
  const t0 = Date.now();
  const img = await buildDiskImage(host, { release: image.release, arch: image.arch, mirror: image.mirror }, stderrProgress);
  const fetchSeconds = (Date.now() - t0) / 1000;
  const manifest = JSON.parse(await readFile(join(img.dir, 'manifest.json'), 'utf8')) as DiskImageManifest;
  const key = await createRunKey(join(work, 'key'));
  const provider = new KvmProvider();
  const rows: { boot: number; bootToSsh: number; provision: number; shutdown: number; accel: string; stop: string }[] = [];
  for (let i = 0; i < boots; i++) {
    const ctx = { host, runId: `vbt5-bench-${process.pid}`, workDir: join(work, `guest${i}`), key, progress: (e: Parameters<typeof stderrProgress>[0]) => (e.level === 'warn' ? stderrProgress(e) : progress(e)) };
    const spec: KvmTarget = {
      name: `vbt5-bench${i}`, method: 'kvm', host: 'local', limits: {}, accel, cpus: 2, memoryMiB: 1024, cpuModel: 'host',
      disk: { cache: 'none', aio: 'native', sizeGiB: 4 }, net: { mode: 'user' }, hugepages: false, image,
    };
    const t1 = Date.now();
    const guest = await provider.provision(spec, ctx);
    const provision = (Date.now() - t1) / 1000;
    const stop = await stopGuest(host, guest.handle as KvmHandle, { powerdownMs: 120_000, progress: ctx.progress });
    rows.push({ boot: i + 1, bootToSsh: Number(guest.facts.bootToSshSeconds), provision, shutdown: stop.seconds, accel: String(guest.facts.accelerator), stop: stop.method });
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`KVM provider benchmark (${new Date().toISOString()}, host ${(await readFile('/proc/sys/kernel/osrelease', 'utf8')).trim()})`);
  console.log(`image ${img.key}: ${img.built ? `built now in ${fetchSeconds.toFixed(1)} s` : `cached (lookup ${fetchSeconds.toFixed(2)} s); recorded build time ${manifest.buildSeconds.toFixed(1)} s`}`);
  for (const r of rows) {
    console.log(`boot ${r.boot}: accel=${r.accel}${r.accel === 'tcg' ? ' (EMULATED)' : ''}  QEMU start-to-SSH ${r.bootToSsh.toFixed(1)} s  provision total ${r.provision.toFixed(1)} s  shutdown (${r.stop}) ${r.shutdown.toFixed(1)} s`);
  }
  console.log(`median: start-to-SSH ${med(rows.map((r) => r.bootToSsh)).toFixed(1)} s, provision ${med(rows.map((r) => r.provision)).toFixed(1)} s, shutdown ${med(rows.map((r) => r.shutdown)).toFixed(1)} s (goal with working KVM: < 10 s boot-to-SSH)`);
} finally {
  await rm(work, { recursive: true, force: true });
}
