import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, ProviderError } from '../../src/core/errors.js';
import type { RunKey } from '../../src/core/provider.js';
import { listOwned } from '../../src/providers/ownership.js';
import { KvmProvider } from '../../src/providers/kvm/provider.js';
import { createRunKey } from '../../src/remote/keys.js';
import { kvmContext, kvmSpec, pathExists, pidAlive } from './kvm-support.js';

/**
 * Failures: QEMU killed mid-boot, Ctrl-C mid-boot, and bad input (missing kernel, too little
 * memory, a port in use). Every case must leave no QEMU, overlay, socket, pid file or record.
 * The two boots here are cut short after a few seconds, so this file stays cheap.
 */
const dir = '/tmp/vbt5-it-fail';
process.env.VIRTBENCH_STATE = '/tmp/vbt5-it-state';

async function waitForPid(pidFile: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 1 && pidAlive(pid)) return pid;
    await sleep(100);
  }
  throw new Error(`no QEMU pid in ${pidFile}`);
}

async function expectNothingLeft(workDir: string, pid: number | undefined): Promise<void> {
  expect(pidAlive(pid), `QEMU ${pid} still running`).toBe(false);
  for (const f of ['overlay.qcow2', 'seed.img', 'qmp.sock', 'qemu.pid']) expect(await pathExists(`${workDir}/${f}`), f).toBe(false);
  expect((await listOwned()).filter((r) => r.runId === 'vbt5-fail')).toEqual([]);
}

describe('kvm failures and bad input (real QEMU)', () => {
  const provider = new KvmProvider();
  let key: RunKey;

  beforeAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    key = await createRunKey(`${dir}/key`);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(process.env.VIRTBENCH_STATE!, { recursive: true, force: true });
  });

  it('cleans up when QEMU is killed mid-boot', async () => {
    const workDir = `${dir}/killed`;
    const ctx = kvmContext('vbt5-fail', workDir, key);
    const provisioning = provider.provision(kvmSpec('vbt5-killed', { accel: 'tcg' }), ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    const pid = await waitForPid(`${workDir}/qemu.pid`);
    await sleep(2_000); // let the kernel start printing
    process.kill(pid, 'SIGKILL');
    const err = (await provisioning) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe('KVM_BOOT_EXITED');
    expect(err.message).toMatch(/exited during boot/);
    await expectNothingLeft(workDir, pid);
  });

  it('cleans up on Ctrl-C (AbortSignal) mid-boot', async () => {
    const workDir = `${dir}/aborted`;
    const ac = new AbortController();
    const ctx = kvmContext('vbt5-fail', workDir, key, ac.signal);
    const provisioning = provider.provision(kvmSpec('vbt5-aborted', { accel: 'tcg' }), ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    const pid = await waitForPid(`${workDir}/qemu.pid`);
    ac.abort();
    const err = await provisioning;
    expect(err).toBeInstanceOf(InterruptedError);
    await expectNothingLeft(workDir, pid);
  });

  it('names a missing kernel file', async () => {
    const err = await provider.provision(kvmSpec('vbt5-nokernel', { kernel: { path: '/tmp/vbt5-no-such-vmlinuz' } }), kvmContext('vbt5-fail', `${dir}/nokernel`, key)).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe('KVM_MISSING_FILE');
    expect(err.message).toMatch(/\/tmp\/vbt5-no-such-vmlinuz.*no such file/);
    expect(err.location?.field).toBe('kernel.path');
  });

  it('refuses more memory than the host has available', async () => {
    const err = await provider.provision(kvmSpec('vbt5-hugemem', { memoryMiB: 64 * 1024 * 1024 }), kvmContext('vbt5-fail', `${dir}/hugemem`, key)).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe('KVM_NO_MEMORY');
    expect(err.message).toMatch(/MemAvailable/);
  });

  it('names a forwarded SSH port already in use', async () => {
    const srv: Server = createServer();
    const port = await new Promise<number>((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)));
    try {
      const err = await new KvmProvider({ sshPort: port }).provision(kvmSpec('vbt5-port'), kvmContext('vbt5-fail', `${dir}/port`, key)).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.code).toBe('KVM_PORT_IN_USE');
      expect(err.message).toContain(`127.0.0.1:${port}`);
    } finally {
      srv.close();
    }
  });

  it('plans the exact commands for --dry-run without running anything', async () => {
    const ctx = kvmContext('vbt5-fail', `${dir}/plan`, key);
    const plan = await provider.plan(kvmSpec('vbt5-plan', { accel: 'tcg' }), ctx);
    const qemu = plan.find((c) => c.argv[0] === 'qemu-system-x86_64' && c.argv.includes('-daemonize'));
    expect(qemu?.argv).toEqual(expect.arrayContaining(['-accel', 'tcg,thread=multi', '-cpu', 'max']));
    expect(plan.some((c) => c.argv[0] === 'qemu-img' && c.argv[1] === 'create')).toBe(true);
    expect(plan.some((c) => c.argv[0] === 'mkfs.ext4')).toBe(true);
    expect(await pathExists(`${dir}/plan/overlay.qcow2`)).toBe(false);
  });
});
