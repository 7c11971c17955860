import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Guest } from '../../src/core/guest.js';
import { ProviderError } from '../../src/core/errors.js';
import { listOwned } from '../../src/providers/ownership.js';
import { KvmProvider } from '../../src/providers/kvm/provider.js';
import type { KvmHandle, StopResult } from '../../src/providers/kvm/lifecycle.js';
import { stopGuest } from '../../src/providers/kvm/lifecycle.js';
import { createRunKey } from '../../src/remote/keys.js';
import { kvmContext, kvmSpec, pathExists, pidAlive, sshExec } from './kvm-support.js';

/**
 * One real QEMU guest for the whole file (TCG on this machine, where KVM is a PVM backend that
 * cannot boot a stock kernel): image build, accelerator check with fallback, SSH, virtio drivers
 * seen from inside, ACPI power-down, and nothing left afterwards.
 */
const dir = '/tmp/vbt5-it-guest';
process.env.VIRTBENCH_STATE = '/tmp/vbt5-it-state';

describe('kvm guest (real QEMU)', () => {
  const provider = new KvmProvider();
  let ctx: ReturnType<typeof kvmContext>;
  let guest: Guest | undefined;
  let stopped: StopResult | undefined;

  beforeAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const key = await createRunKey(`${dir}/key`);
    ctx = kvmContext('vbt5-it', `${dir}/guest`, key);
    guest = await provider.provision(kvmSpec('vbt5-guest', { accel: 'auto' }), ctx);
  });

  afterAll(async () => {
    if (guest && !stopped) await stopGuest(ctx.host, guest.handle as KvmHandle, { powerdownMs: 0, progress: () => {} });
    await rm(dir, { recursive: true, force: true });
    await rm(process.env.VIRTBENCH_STATE!, { recursive: true, force: true });
  });

  it('checks the accelerator for real and falls back loudly under auto when KVM does not boot', () => {
    const probe = guest!.facts.kvmProbe as { kvmWorks: boolean; reason: string } | undefined;
    expect(probe, 'accel auto must probe KVM').toBeDefined();
    if (probe!.kvmWorks) {
      expect(guest!.facts.accelerator).toBe('kvm');
      expect(guest!.emulated).toBe(false);
      return;
    }
    // Machines of this project's kind: either no /dev/kvm at all, or a PVM /dev/kvm under which
    // QEMU aborts or the guest never prints a line. Either way the reason says which.
    expect(probe!.reason).toMatch(/KVM does not (boot|start)|\/dev\/kvm is not usable/);
    expect(guest!.facts.accelerator).toBe('tcg');
    expect(guest!.emulated).toBe(true);
    expect(guest!.facts.emulated).toBe(true);
    expect(String(guest!.facts.acceleratorFallback)).toMatch(/using TCG/);
    const warn = ctx.events.find((e) => e.level === 'warn' && /Falling back to TCG/.test(e.message));
    expect(warn?.message).toMatch(/EMULATED/);
  });

  it('records the full QEMU command line and version', () => {
    const argv = guest!.facts.qemuCommandLine as string[];
    expect(argv[0]).toBe('qemu-system-x86_64');
    expect(argv).toContain('-daemonize');
    expect(argv.join(' ')).toMatch(/virtio-blk-pci/);
    expect(argv.join(' ')).toMatch(/cache=none,aio=native/);
    expect(guest!.facts.qemuVersion).toMatch(/^\d+\.\d+/);
  });

  it('runs a command over SSH with the pinned host key', async () => {
    const r = await sshExec(guest!, 'echo hello-from-$(hostname)', dir);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('hello-from-vbt5-guest');
  });

  it('sees virtio disk and network drivers from inside', async () => {
    const r = await sshExec(guest!, 'ls /sys/bus/virtio/drivers; readlink -f /sys/block/vda/device/driver; for n in /sys/class/net/e*; do readlink -f $n/device/driver; done', dir);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^virtio_blk$/m);
    expect(r.stdout).toMatch(/^virtio_net$/m);
    expect(r.stdout).toMatch(/\/virtio_blk$/m);
    expect(r.stdout).toMatch(/\/virtio_net$/m);
    // The provider's own facts (reported by the guest at boot) agree.
    expect(guest!.facts.virtioDrivers).toEqual(expect.arrayContaining(['virtio_blk', 'virtio_net']));
    expect(guest!.facts.blockDriver).toBe('virtio_blk');
    expect(guest!.facts.guestCpuModel).toBeTruthy();
    expect(guest!.facts.cpusVisible).toBe(2);
  });

  it('refuses accel: kvm with a clear error when KVM does not boot (cached verdict, no second probe boot)', async () => {
    const probe = guest!.facts.kvmProbe as { kvmWorks: boolean };
    if (probe.kvmWorks) return;
    const err = await provider.provision(kvmSpec('vbt5-kvmonly', { accel: 'kvm' }), kvmContext('vbt5-it', `${dir}/kvmonly`, ctx.key)).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe('KVM_DOES_NOT_BOOT');
    expect(err.location?.field).toBe('accel');
    expect(await pathExists(`${dir}/kvmonly/qemu.pid`)).toBe(false);
  });

  it('powers down through ACPI and leaves nothing behind', async () => {
    const h = guest!.handle as KvmHandle;
    expect(pidAlive(h.pid)).toBe(true);
    stopped = await stopGuest(ctx.host, h, { powerdownMs: 120_000, progress: ctx.progress });
    expect(stopped.method).toBe('acpi');
    expect(pidAlive(h.pid)).toBe(false);
    for (const p of [h.overlay, h.seed!, h.qmpSocket, h.pidFile]) expect(await pathExists(p), p).toBe(false);
    expect((await listOwned()).filter((r) => r.key === h.ownershipKey)).toEqual([]);
    const portOpen = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: h.sshPort! });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    expect(portOpen, 'forwarded SSH port released').toBe(false);
  });
});
