/**
 * What is recorded about a KVM guest: QEMU's version and full command line, the accelerator
 * really used (and why), and what the guest sees from inside (its kernel, CPU model, virtio
 * drivers), taken from the report the image writes to its second serial port at boot.
 */
import { droppedOptionLines } from './legacy-options.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandHost } from '../../core/host.js';
import type { GuestFacts } from '../../core/guest.js';
import { parseFactsReport } from '../images/disk-image-files.js';
import type { AccelVerdict } from './accel.js';
import { QEMU_BINARY, type Accel } from './command-line.js';

export async function qemuVersion(host: CommandHost): Promise<string> {
  const r = await host.run([QEMU_BINARY, '--version']);
  const m = /version\s+(\S+)/.exec(r.stdout);
  return m?.[1] ?? r.stdout.split('\n')[0]!.trim();
}

/** Wait (briefly) for the guest's facts report; undefined when the image does not write one. */
export async function readGuestReport(read: () => Promise<string>, waitMs: number, signal?: AbortSignal): Promise<Record<string, string> | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const report = parseFactsReport(await read().catch(() => ''));
    if (report || Date.now() >= deadline || signal?.aborted) return report;
    await sleep(250);
  }
}

export interface KvmFactsInput {
  qemuVersion: string;
  argv: string[];
  accel: Accel;
  accelRequested: 'auto' | 'kvm' | 'tcg';
  verdict?: AccelVerdict;
  fallbackReason?: string;
  cpuModel: string;
  cpus: number;
  memoryMiB: number;
  droppedOptions?: string[];
  kernel: { path: string; initrd?: string; source: 'image' | 'target' };
  image?: { key: string; kernelRelease: string };
  report?: Record<string, string>;
  bootSeconds: number;
  pinning?: { vcpu: number; thread: number; hostCpu: number }[];
  hugepages: boolean;
}

export function kvmFacts(i: KvmFactsInput): GuestFacts {
  const r = i.report;
  const words = (s: string | undefined) => (s ? s.split(/\s+/).filter(Boolean) : []);
  return {
    kernel: r?.kernel,
    cpusVisible: r?.cpus ? Number(r.cpus) : i.cpus,
    cpusUsable: r?.cpus ? Number(r.cpus) : i.cpus,
    memoryMiB: r?.mem_kib ? Math.round(Number(r.mem_kib) / 1024) : i.memoryMiB,
    qemuVersion: i.qemuVersion,
    qemuCommandLine: i.argv,
    diskCache: /(?:^|,)cache=([a-z]+)/.exec(i.argv.find((a) => a.includes('if=none,id=vda')) ?? '')?.[1],
    ...(i.droppedOptions?.length ? { droppedOptions: droppedOptionLines(i.droppedOptions) } : {}),
    accelerator: i.accel,
    acceleratorRequested: i.accelRequested,
    ...(i.fallbackReason ? { acceleratorFallback: i.fallbackReason } : {}),
    ...(i.verdict ? { kvmProbe: i.verdict } : {}),
    emulated: i.accel === 'tcg',
    cpuModelRequested: i.cpuModel,
    guestCpuModel: r?.cpu_model,
    guestVirt: r?.virt,
    virtioDrivers: words(r?.virtio_drivers),
    virtioModules: words(r?.virtio_modules),
    blockDriver: r?.block_driver,
    netDriver: r?.net_driver,
    guestCmdline: r?.cmdline,
    guestKernel: i.kernel,
    ...(i.image ? { image: i.image } : {}),
    bootToSshSeconds: Math.round(i.bootSeconds * 10) / 10,
    hugepages: i.hugepages,
    ...(i.pinning ? { vcpuPinning: i.pinning } : {}),
  };
}
