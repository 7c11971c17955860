/**
 * The harness's own cost on the host target (this machine through the private sshd):
 *  1. time from command start to the first UnixBench test starting, on an already-prepared target;
 *  2. CPU seconds this process uses while a 60-second UnixBench test (shell1, -i 1: one 60 s pass)
 *     runs, against the goal of under 1% of one core.
 * Needs VIRTBENCH_UNIXBENCH_SOURCE (a UnixBench 5.1.3 directory or tarball).
 * Usage: VIRTBENCH_UNIXBENCH_SOURCE=... npm run bench:harness [-- --poll-ms 5000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProvisionContext } from '../src/core/provider.js';
import { LocalHost } from '../src/hosts/local.js';
import { bareMetalProvider } from '../src/providers/host/provider.js';
import { createRunKey } from '../src/remote/keys.js';
import { SshSession } from '../src/remote/session.js';
import { resolveUnixBenchSource } from '../src/workloads/unixbench/source.js';
import { UnixBenchWorkload } from '../src/workloads/unixbench/workload.js';

const src = process.env.VIRTBENCH_UNIXBENCH_SOURCE;
if (!src) {
  console.error('set VIRTBENCH_UNIXBENCH_SOURCE to a UnixBench 5.1.3 directory or tarball');
  process.exit(2);
}
const pollArg = process.argv.indexOf('--poll-ms');
const pollMs = pollArg > 0 ? Number(process.argv[pollArg + 1]) : 5000;
const dir = await mkdtemp('/tmp/vbt3-bench-');
const installDir = join(dir, 'target', 'UnixBench');
process.env.VIRTBENCH_STATE = join(dir, 'state');
const key = await createRunKey(join(dir, 'key'));
const source = await resolveUnixBenchSource({ source: src, cache: join(dir, 'cache') });
const workload = new UnixBenchWorkload(source, { installDir });

async function withHostTarget<T>(fn: (s: SshSession) => Promise<T>): Promise<T> {
  const ctx: ProvisionContext = { host: new LocalHost(), runId: `bench-${process.pid}`, workDir: join(dir, 'guest'), key, progress: () => {} };
  const guest = await bareMetalProvider.provision({ name: 'bare', method: 'host', host: 'local', limits: {} }, ctx);
  const s = await SshSession.open(guest.ssh);
  try {
    return await fn(s);
  } finally {
    await s.close();
    await bareMetalProvider.destroy(guest, ctx);
  }
}

try {
  // Prepare once (not measured): upload and build.
  const tBuild = Date.now();
  await withHostTarget((s) => workload.prepare(s));
  console.log(`prepare (upload + build, not part of the figures): ${((Date.now() - tBuild) / 1000).toFixed(1)} s`);

  // 1. Command start to first test: provision (private sshd), connect, prepare (reused), start, first test seen.
  let firstTestMs = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let runStart = 0;
  let cpuAtRunStart = cpu0;
  let firstTestAt = 0;
  await withHostTarget(async (s) => {
    const inst = await workload.prepare(s);
    runStart = performance.now();
    cpuAtRunStart = process.cpuUsage();
    await workload.run(
      s,
      {
        prepared: inst,
        options: { iterations: 1, copies: [1], tests: ['shell1'], locale: 'C' },
        tag: `bench-${process.pid}`,
        localDir: join(dir, 'raw'),
        cpus: 1,
        pollMs,
        onFirstTest: () => {
          firstTestAt = performance.now();
          firstTestMs = firstTestAt - t0;
        },
      },
      () => {},
    );
  });
  const runEnd = performance.now();
  const cpu = process.cpuUsage(cpuAtRunStart);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const wallSec = (runEnd - runStart) / 1000;
  console.log(`command start -> first UnixBench test started (prepared target, incl. private sshd start + connect): ${(firstTestMs / 1000).toFixed(2)} s`);
  console.log(`  of which ./Run's own start-up (make check, system info, banner) is inside; process uptime at first test: ${(process.uptime() - (runEnd - firstTestAt) / 1000).toFixed(2)} s`);
  console.log(`60-second test (shell1 -i 1, poll ${pollMs} ms): wall ${wallSec.toFixed(1)} s, harness CPU ${cpuSec.toFixed(3)} s (user ${(cpu.user / 1e6).toFixed(3)}, system ${(cpu.system / 1e6).toFixed(3)}) = ${((cpuSec / wallSec) * 100).toFixed(3)}% of one core (goal < 1%)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
