import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Guest } from '../../src/core/guest.js';
import type { ProvisionContext } from '../../src/core/provider.js';
import { silentProgress, stderrProgress } from '../../src/core/progress.js';
import { LocalHost } from '../../src/hosts/local.js';
import { LxcProvider } from '../../src/providers/lxc/provider.js';
import { createRunKey } from '../../src/remote/keys.js';
import { SshSession } from '../../src/remote/session.js';
import { resolveUnixBenchSource } from '../../src/workloads/unixbench/source.js';
import { UnixBenchWorkload } from '../../src/workloads/unixbench/workload.js';
import { describeWithUnixBench } from '../support/unixbench.js';

/**
 * A short UnixBench 5.1.3 run (dhry2reg, 1 iteration) inside a real LXC container limited to one
 * CPU: the copy count is the container's usable CPUs, not the host's /proc count.
 */
const isRoot = process.getuid?.() === 0;
const hasLxc = existsSync('/usr/bin/lxc-start');
const progress = process.env.VIRTBENCH_DEBUG ? stderrProgress : silentProgress;

describeWithUnixBench('UnixBench in an LXC container', () => describe.skipIf(!isRoot || !hasLxc)('(root, lxc)', () => {
    let dir: string;
    let ctx: ProvisionContext;
    let guest: Guest | undefined;
    const provider = new LxcProvider();

    beforeAll(async () => {
      dir = await mkdtemp('/tmp/vbt4-ub-');
      process.env.VIRTBENCH_STATE = join(dir, 'state');
      ctx = { host: new LocalHost(), runId: 'vbt4-ub', workDir: dir, key: await createRunKey(join(dir, 'key')), progress };
    });

    afterAll(async () => {
      if (guest) await provider.destroy(guest, ctx);
      await rm(dir, { recursive: true, force: true });
      delete process.env.VIRTBENCH_STATE;
    });

    it('installs, runs dhry2reg and yields a parsed result', async () => {
      guest = await provider.provision(
        {
          name: 'vbt4-ub', method: 'lxc', host: 'local', limits: { cpus: 1 }, privileged: true,
          image: { release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian' },
          network: { bridge: 'vbt4br0', subnet: '10.231.4.0/24' }, sshTimeoutSeconds: 60,
        },
        ctx,
      );
      expect(guest.facts.cpusUsable).toBe(1);
      const workload = new UnixBenchWorkload(await resolveUnixBenchSource({ cache: join(dir, 'cache') }));
      const session = await SshSession.open({ ...guest.ssh, trustOnFirstUse: false }, { deadlineMs: 30_000 });
      try {
        const prepared = await workload.prepare(session, progress);
        // No copies given: the copy count must come from the CPUs the container can use, not from
        // /proc/cpuinfo, which shows the host's CPUs without lxcfs.
        const raw = await workload.run(
          session,
          { prepared, options: { locale: 'C', iterations: 1, tests: ['dhry2reg'] }, tag: 'vbt4-ub-1', localDir: join(dir, 'raw'), cpus: guest.facts.cpusUsable!, pollMs: 1000 },
          progress,
        );
        const report = workload.parse(raw);
        expect(report.version).toBe('5.1.3');
        expect(report.passes.map((p) => p.copies), raw.files.consoleText.slice(-3000)).toEqual([1]);
        const pass = report.passes[0]!;
        expect(pass.copies).toBe(1);
        const dhry = pass.tests.find((r) => /Dhrystone/.test(r.name));
        expect(dhry?.value).toBeGreaterThan(0);
      } finally {
        await session.close();
      }
    });
}));
