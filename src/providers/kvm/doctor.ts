/**
 * `virtbench doctor` for KVM: the tools, /dev/kvm, and whether KVM really boots a kernel
 * (a probe boot of a cached image's kernel; /dev/kvm existing proves nothing).
 */
import { access, constants, readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { DoctorCheck } from '../../core/provider.js';
import type { CommandHost } from '../../core/host.js';
import { cacheDir } from '../../core/paths.js';
import { packageChecks } from '../packages.js';
import { kvmVerdict } from './accel.js';
import { qemuVersion } from './facts.js';
import { parseMeminfo } from './preflight.js';

export async function kvmDoctor(host: CommandHost, probeDeadlineMs: number): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = await packageChecks(host, 'kvm', 'kvm');
  const haveQemu = out.every((c) => c.ok);
  const remote = !host.isLocal;
  const devKvm = remote
    ? (await host.run(['test', '-r', '/dev/kvm', '-a', '-w', '/dev/kvm'], { allowFailure: true })).exitCode === 0
    : await access('/dev/kvm', constants.R_OK | constants.W_OK).then(() => true, () => false);
  out.push({ provider: 'kvm', what: '/dev/kvm (accel: kvm only)', ok: devKvm, detail: devKvm ? 'present and read-write (this alone does not prove KVM works)' : 'missing or not accessible', ...(devKvm ? {} : { fix: 'load kvm_intel or kvm_amd and check permissions; without it guests run under TCG (emulated)' }) });
  const mem = parseMeminfo(remote ? (await host.run(['cat', '/proc/meminfo'])).stdout : await readFile('/proc/meminfo', 'utf8'));
  out.push({ provider: 'kvm', what: 'memory available', ok: (mem.MemAvailable ?? 0) > 512 * 1024, detail: `${Math.floor((mem.MemAvailable ?? 0) / 1024)} MiB MemAvailable` });
  if (!haveQemu || !devKvm) return out;
  if (remote) {
    out.push({ provider: 'kvm', what: 'KVM boots a guest kernel (accel: kvm only)', ok: true, detail: `not probed on a remote host: accel auto uses KVM there and falls back to TCG (marked emulated) when the guest does not boot under it` });
    return out;
  }
  const kernel = await anyCachedKernel();
  if (!kernel) {
    out.push({ provider: 'kvm', what: 'KVM boots a guest kernel (accel: kvm only)', ok: false, detail: 'not probed: no cached KVM disk image (its kernel is the probe kernel)', fix: 'provision a kvm target once (the image is built and cached), then run doctor again' });
    return out;
  }
  const v = await kvmVerdict(await qemuVersion(host), { ...kernel, deadlineMs: probeDeadlineMs });
  out.push({
    provider: 'kvm',
    what: 'KVM boots a guest kernel (accel: kvm only)',
    ok: v.kvmWorks,
    detail: `${v.reason} (probe ${v.seconds.toFixed(1)} s, host kernel ${v.hostKernel}, QEMU ${v.qemuVersion})`,
    ...(v.kvmWorks ? {} : { fix: 'accel: auto falls back to TCG (results marked emulated); accel: kvm fails. Real hardware virtualization is needed for KVM numbers.' }),
  });
  return out;
}

async function anyCachedKernel(): Promise<{ kernel: string; initrd: string } | undefined> {
  const dir = posix.join(cacheDir(), 'images');
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names.filter((n) => !n.startsWith('.')).sort()) {
    const kernel = posix.join(dir, n, 'vmlinuz');
    const ok = await access(posix.join(dir, n, 'manifest.json')).then(() => true, () => false);
    if (ok) return { kernel, initrd: posix.join(dir, n, 'initrd.img') };
  }
  return undefined;
}
