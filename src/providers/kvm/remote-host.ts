/**
 * What differs for a KVM guest on a remote host before QEMU starts: its files live in a folder
 * of its own there (the controller's run directory is not on that host), its preflight checks
 * read that host's files, and the accelerator is chosen from that host's /dev/kvm.
 */

import { posix } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import type { ProgressSink } from '../../core/progress.js';
import type { KvmTarget } from '../../core/targets.js';
import type { AccelVerdict } from './accel.js';
import type { Accel } from './command-line.js';
import { checkMemory, checkPortFree, checkReadableFile, hugetlbfsMount, parseMeminfo } from './preflight.js';

export const REMOTE_KVM_DIR = '/var/lib/virtbench/kvm';

export function remoteWorkDir(runId: string, name: string): string {
  return posix.join(REMOTE_KVM_DIR, `${runId}--${name}`.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/** Memory, kernel files, hugepages and the fixed SSH port, checked on the host the guest will run on. */
export async function hostPreflight(host: CommandHost, spec: KvmTarget, sshPort?: number): Promise<{ hugepagesPath?: string }> {
  if (host.isLocal) {
    if (spec.kernel) {
      await checkReadableFile(spec.kernel.path, 'kernel.path', 'guest kernel');
      if (spec.kernel.initrd) await checkReadableFile(spec.kernel.initrd, 'kernel.initrd', 'guest initrd');
    }
    await checkMemory(spec.name, spec.memoryMiB, spec.hugepages);
    if (sshPort !== undefined && spec.net.mode === 'user') await checkPortFree(sshPort);
    return { hugepagesPath: spec.hugepages ? await hugetlbfsMount() : undefined };
  }
  if (spec.hugepages) {
    throw new ProviderError('KVM_REMOTE_HUGEPAGES', `target '${spec.name}': hugepages on a remote host (${host.name}) are not supported yet`, { hint: 'set hugepages: false, or run virtbench on that host', location: { field: 'hugepages' } });
  }
  if (sshPort !== undefined) {
    throw new ProviderError('KVM_REMOTE_SSH_PORT', `target '${spec.name}': a fixed sshPort cannot be used on a remote host (${host.name})`, { hint: 'omit it: a free port on that host is chosen', location: { field: 'sshPort' } });
  }
  for (const [path, field] of [[spec.kernel?.path, 'kernel.path'], [spec.kernel?.initrd, 'kernel.initrd']] as const) {
    if (path && (await host.run(['test', '-f', path, '-a', '-r', path], { allowFailure: true })).exitCode !== 0) {
      throw new ProviderError('KVM_MISSING_FILE', `${path} is not a readable file on ${host.name}`, { hint: 'the guest kernel must be on the host the guest runs on', location: { field } });
    }
  }
  const info = parseMeminfo((await host.run(['cat', '/proc/meminfo'])).stdout);
  const availableMiB = Math.floor((info.MemAvailable ?? 0) / 1024);
  if (availableMiB < spec.memoryMiB + 128) {
    throw new ProviderError('KVM_NO_MEMORY', `target '${spec.name}': the guest needs ${spec.memoryMiB} MiB (+128 MiB for QEMU) but only ${availableMiB} MiB is available on ${host.name}`, { hint: 'lower memoryMiB, or stop other guests there first', location: { field: 'memoryMiB' } });
  }
  return {};
}

/**
 * accel on a remote host: tcg is TCG; kvm and auto need /dev/kvm read-write there. The local
 * probe boot is not repeated remotely: auto still falls back to TCG when the real guest dies
 * under KVM (internal error or stall), and says so.
 */
export async function remoteAccel(host: CommandHost, spec: KvmTarget, progress: ProgressSink): Promise<{ accel: Accel; verdict?: AccelVerdict; fallbackReason?: string }> {
  if (spec.accel === 'tcg') return { accel: 'tcg' };
  const devKvm = (await host.run(['test', '-r', '/dev/kvm', '-a', '-w', '/dev/kvm'], { allowFailure: true })).exitCode === 0;
  if (devKvm) return { accel: 'kvm' };
  if (spec.accel === 'kvm') {
    throw new ProviderError('KVM_DOES_NOT_BOOT', `target '${spec.name}': accel is kvm but ${host.name} has no read-write /dev/kvm`, { hint: 'use accel: auto to fall back to TCG (results marked emulated), or load kvm_intel/kvm_amd there', location: { field: 'accel' } });
  }
  const fallbackReason = `${host.name} has no /dev/kvm; using TCG emulation`;
  progress({ subject: spec.name, step: 'provision', message: `KVM DOES NOT WORK ON ${host.name} (no /dev/kvm). Falling back to TCG: this guest is EMULATED; its results are not KVM numbers.`, level: 'warn' });
  return { accel: 'tcg', fallbackReason };
}
