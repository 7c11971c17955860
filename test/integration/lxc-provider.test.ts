import { pidAlive } from '../support/processes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Guest } from '../../src/core/guest.js';
import type { ProvisionContext } from '../../src/core/provider.js';
import { silentProgress, stderrProgress } from '../../src/core/progress.js';
import type { LxcTarget } from '../../src/core/targets.js';
import { LocalHost } from '../../src/hosts/local.js';
import { probeI386 } from '../../src/providers/images/i386-probe.js';
import { listOwned } from '../../src/providers/ownership.js';
import { LxcProvider, type LxcHandle } from '../../src/providers/lxc/provider.js';
import { createRunKey } from '../../src/remote/keys.js';
import { SshSession } from '../../src/remote/session.js';

/**
 * Real LXC containers from a debootstrap rootfs on the test bridge vbt4br0 (10.231.4.0/24).
 * The rootfs cache is the real one (built once, ~1-2 min); ownership records go to a temp dir.
 */
const isRoot = process.getuid?.() === 0;
const hasLxc = existsSync('/usr/bin/lxc-start');
const BRIDGE = 'vbt4br0';
const SUBNET = '10.231.4.0/24';
const progress = process.env.VIRTBENCH_DEBUG ? stderrProgress : silentProgress;
// An i386 userland needs a kernel that runs 32-bit programs; where it does not (a PVM guest), the
// provider must refuse i386 at once, and that is what is tested instead.
const i386 = isRoot ? await probeI386(new LocalHost()) : { ok: false, detail: 'not root' };
if (!i386.ok) console.warn(`lxc-provider: no i386 containers on this host: ${i386.detail}`);

const sh = async (file: string, args: string[]) => (await execa(file, args, { reject: false })).stdout;
const alive = pidAlive;

function target(name: string, over: Partial<LxcTarget> = {}): LxcTarget {
  return {
    name,
    method: 'lxc',
    host: 'local',
    limits: {},
    image: { release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian' },
    privileged: true,
    network: { bridge: BRIDGE, subnet: SUBNET },
    sshTimeoutSeconds: 60,
    ...over,
  };
}

/** Everything a container leaves on the host, to assert it is all gone. */
async function traces(name: string, h: LxcHandle, initPid?: number): Promise<string[]> {
  const left: string[] = [];
  if ((await sh('lxc-ls', ['-1'])).split('\n').includes(name)) left.push(`lxc-ls lists ${name}`);
  if (existsSync(join(h.lxcPath, name))) left.push(`${h.lxcPath}/${name} exists`);
  if ((await execa('ip', ['link', 'show', 'dev', h.veth], { reject: false })).exitCode === 0) left.push(`veth ${h.veth}`);
  if ((await execa('ip', ['link', 'show', 'dev', BRIDGE], { reject: false })).exitCode === 0) left.push(`bridge ${BRIDGE}`);
  if (initPid !== undefined && alive(initPid)) left.push(`init pid ${initPid} alive`);
  const cg = (await sh('find', ['/sys/fs/cgroup', '-maxdepth', '3', '-type', 'd', '-name', `*${name}*`])).trim();
  if (cg) left.push(`cgroups: ${cg.replace(/\n/g, ', ')}`);
  if ((await listOwned()).length) left.push(`ownership records: ${(await listOwned()).map((r) => r.key).join(', ')}`);
  return left;
}

async function initPidOf(name: string): Promise<number> {
  return Number((await sh('lxc-info', ['-n', name, '-p', '-H'])).trim());
}

describe.skipIf(!isRoot || !hasLxc)('LXC provider with real containers', () => {
  let dir: string;
  let ctx: ProvisionContext;
  const provider = new LxcProvider();
  const made: Guest[] = [];

  let subids: { uid: string; gid: string } | undefined;

  beforeAll(async () => {
    dir = await mkdtemp('/tmp/vbt4-lxc-');
    // Unprivileged containers need root's subordinate ids when newuidmap is installed; add them
    // for this test and put the files back afterwards.
    const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
    if (!/^root:/m.test(read('/etc/subuid')) || !/^root:/m.test(read('/etc/subgid'))) {
      subids = { uid: read('/etc/subuid'), gid: read('/etc/subgid') };
      await execa('usermod', ['--add-subuids', '100000-165535', '--add-subgids', '100000-165535', 'root']);
    }
    process.env.VIRTBENCH_STATE = join(dir, 'state');
    const key = await createRunKey(join(dir, 'key'));
    ctx = { host: new LocalHost(), runId: 'vbt4-test', workDir: join(dir, 'work'), key, progress };
  });

  afterAll(async () => {
    for (const g of made) await provider.destroy(g, ctx).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    delete process.env.VIRTBENCH_STATE;
    if (subids) {
      await writeFile('/etc/subuid', subids.uid);
      await writeFile('/etc/subgid', subids.gid);
    }
  });

  it('provisions a container with a 1-CPU cpuset and a memory limit, reachable over SSH with a pinned key, and leaves nothing after destroy', async () => {
    const g = await provider.provision(target('vbt4-a', { limits: { cpus: 1, memoryMiB: 256, pids: 300 } }), ctx);
    made.push(g);
    const h = g.handle as LxcHandle;
    expect(g.ssh.hostKey).toMatch(/^ssh-ed25519 AAAA/);
    const initPid = await initPidOf('vbt4-a');
    expect(initPid).toBeGreaterThan(1);

    // Pinned key only: no trust on first use.
    const s = await SshSession.open({ ...g.ssh, trustOnFirstUse: false }, { deadlineMs: 20_000 });
    try {
      const r = await s.exec({ script: 'hostname; nproc; cat /sys/fs/cgroup/cpuset/cpuset.cpus 2>/dev/null || cat /sys/fs/cgroup/cpuset.cpus.effective; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max' });
      expect(r.exitCode).toBe(0);
      const [hostname, nproc, cpuset, mem, pids] = r.stdout.trim().split('\n');
      expect(hostname).toBe('vbt4-a');
      expect(Number(nproc)).toBe(1);
      expect(cpuset).toBe('0');
      expect(Number(mem)).toBe(256 * 1024 * 1024);
      expect(Number(pids)).toBe(300);
      // The memory limit is enforced, not only written: allocating past it gets the process killed.
      const oom = await s.exec(['perl', '-e', '$x = "a" x (400 * 1024 * 1024); print length($x)']);
      expect(oom.exitCode).not.toBe(0);
    } finally {
      await s.close();
    }
    expect(g.facts.cpusUsable).toBe(1);
    expect(g.facts.cpusVisible).toBe(Number(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length));
    expect(g.facts.lxcConfig).toContain('lxc.cgroup.cpuset.cpus = 0');
    expect(g.facts.memoryMiB).toBe(256);
    expect(typeof g.facts.lxcVersion).toBe('string');

    await provider.destroy(g, ctx);
    expect(await traces('vbt4-a', h, initPid)).toEqual([]);
    await provider.destroy(g, ctx); // idempotent
    made.pop();
  });

  it('cleans up when the container\'s init is killed right after start (failure during provision)', async () => {
    let initPid = 0;
    const failing = new LxcProvider({
      afterStart: async (name) => {
        initPid = await initPidOf(name);
        process.kill(initPid, 'SIGKILL');
      },
    });
    const err = await failing.provision(target('vbt4-b'), ctx).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('LXC_GUEST_STOPPED');
    expect(initPid).toBeGreaterThan(1);
    const h: LxcHandle = { container: 'vbt4-b', lxcPath: '/var/lib/lxc', bridge: BRIDGE, subnet: SUBNET, address: '', veth: (await import('../../src/providers/lxc/network.js')).vethNameFor('vbt4-b'), recordKey: 'vbt4-test--vbt4-b' };
    expect(await traces('vbt4-b', h, initPid)).toEqual([]);
  });

  it('destroys a provisioned container whose init was killed afterwards', async () => {
    const g = await provider.provision(target('vbt4-c'), ctx);
    made.push(g);
    const pid = await initPidOf('vbt4-c');
    process.kill(pid, 'SIGKILL');
    await provider.destroy(g, ctx);
    expect(await traces('vbt4-c', g.handle as LxcHandle, pid)).toEqual([]);
    made.pop();
  });

  it('rejects bad input with errors that say which and what to do, creating nothing', async () => {
    const bad = await provider.provision(target('vbt4-d', { limits: { cpus: 0 } }), ctx).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'LXC_BAD_LIMIT', location: { field: 'limits.cpus' } });
    const tooMany = await provider.provision(target('vbt4-d', { limits: { cpus: 64 } }), ctx).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ code: 'LXC_BAD_LIMIT' });
    expect(String((tooMany as Error).message)).toContain('64 CPUs');

    // A container directory that is not ours: a name clash, and it is left alone.
    await mkdir('/var/lib/lxc/vbt4-clash', { recursive: true });
    await writeFile('/var/lib/lxc/vbt4-clash/config', 'lxc.uts.name = vbt4-clash\n');
    try {
      const clash = await provider.provision(target('vbt4-clash'), ctx).catch((e: unknown) => e);
      expect(clash).toMatchObject({ code: 'LXC_NAME_CLASH', location: { field: 'name' } });
      expect((clash as { hint: string }).hint).toContain('not virtbench');
      expect(existsSync('/var/lib/lxc/vbt4-clash/config')).toBe(true);
    } finally {
      await rm('/var/lib/lxc/vbt4-clash', { recursive: true, force: true });
    }

    // The subnet is already on another interface.
    await execa('ip', ['link', 'add', 'vbt4dum0', 'type', 'bridge']);
    try {
      await execa('ip', ['addr', 'add', '10.231.44.7/24', 'dev', 'vbt4dum0']);
      const inUse = await provider.provision(target('vbt4-d', { network: { bridge: 'vbt4br1', subnet: '10.231.44.0/24' } }), ctx).catch((e: unknown) => e);
      expect(inUse).toMatchObject({ code: 'LXC_SUBNET_IN_USE' });
      expect(String((inUse as Error).message)).toContain('vbt4dum0');
      expect((await execa('ip', ['link', 'show', 'dev', 'vbt4br1'], { reject: false })).exitCode).not.toBe(0);
    } finally {
      await execa('ip', ['link', 'del', 'vbt4dum0'], { reject: false });
    }
    const badSubnet = await provider.provision(target('vbt4-d', { network: { bridge: BRIDGE, subnet: '10.231.4.1/24' } }), ctx).catch((e: unknown) => e);
    expect(badSubnet).toMatchObject({ code: 'LXC_BAD_SUBNET' });
    expect((await sh('lxc-ls', ['-1'])).split('\n')).not.toContain('vbt4-d');
    expect(await listOwned()).toEqual([]);
  });

  /** Root inside is uid 100000 outside. */
  async function expectUnprivileged(gu: Guest): Promise<void> {
    const su = await SshSession.open({ ...gu.ssh, trustOnFirstUse: false }, { deadlineMs: 20_000 });
    try {
      expect((await su.exec(['cat', '/proc/self/uid_map'])).stdout.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    } finally {
      await su.close();
    }
    const pid = await initPidOf(gu.name);
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Uid:\s+100000\b/m);
  }

  it.runIf(i386.ok)('runs an i386 userland (the 2011 "LXC 32-bit" column) and an unprivileged container', async () => {
    // Provisioned in parallel: each gets its own address on the shared bridge.
    const settled = await Promise.allSettled([
      provider.provision(target('vbt4-e', { image: { release: 'bookworm', arch: 'i386', mirror: 'http://deb.debian.org/debian' } }), ctx),
      provider.provision(target('vbt4-f', { privileged: false }), ctx),
    ]);
    for (const r of settled) if (r.status === 'fulfilled') made.push(r.value);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    const [g32, gu] = settled.map((r) => (r as PromiseFulfilledResult<Guest>).value) as [Guest, Guest];
    expect(g32.ssh.host).not.toBe(gu.ssh.host);
    expect(g32.facts.userlandArch).toBe('i686');
    const s = await SshSession.open({ ...g32.ssh, trustOnFirstUse: false }, { deadlineMs: 20_000 });
    try {
      expect((await s.exec(['dpkg', '--print-architecture'])).stdout.trim()).toBe('i386');
    } finally {
      await s.close();
    }
    await expectUnprivileged(gu);
    await provider.destroy(g32, ctx);
    await provider.destroy(gu, ctx);
    made.length = 0;
    expect(await traces('vbt4-e', g32.handle as LxcHandle)).toEqual([]);
    expect(await traces('vbt4-f', gu.handle as LxcHandle)).toEqual([]);
  });

  it.runIf(!i386.ok)('refuses an i386 target at once where the kernel cannot run 32-bit programs, and runs an unprivileged container', async () => {
    const err = await provider.provision(target('vbt4-e', { image: { release: 'bookworm', arch: 'i386', mirror: 'http://deb.debian.org/debian' } }), ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NO_I386', location: { field: 'image.arch' } });
    expect((err as Error).message).toMatch(/does not run 32-bit x86 programs/);
    expect((await sh('lxc-ls', ['-1'])).split('\n')).not.toContain('vbt4-e');
    expect(await listOwned()).toEqual([]);
    const gu = await provider.provision(target('vbt4-f', { privileged: false }), ctx);
    made.push(gu);
    await expectUnprivileged(gu);
    await provider.destroy(gu, ctx);
    made.length = 0;
    expect(await traces('vbt4-f', gu.handle as LxcHandle)).toEqual([]);
  });
});
