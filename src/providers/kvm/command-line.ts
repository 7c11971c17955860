/**
 * The qemu-system-x86_64 argument vector for one guest: the 2011 slides' tuning (-cpu host,
 * virtio disk and network, -smp, -m) in today's syntax (-netdev/-device, no vlan=, boot=on or
 * -clock), daemonized with a pid file, a QMP socket and the serial console in a file.
 */
import { InputError } from '../../core/errors.js';
import type { KvmTarget } from '../../core/targets.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

export type Accel = 'kvm' | 'tcg';

/** Everything the command line needs, resolved: paths exist, the port is chosen, the accelerator decided. */
export interface QemuLaunch {
  name: string;
  accel: Accel;
  /** The spec's CPU model; "host" becomes "max" under TCG (there is no host CPU to pass through). */
  cpuModel: string;
  cpus: number;
  memoryMiB: number;
  disk: KvmTarget['disk'];
  overlay: string;
  /** The seed disk (seed-disk.ts), attached read-only as the second virtio disk. */
  seed?: string;
  net: { mode: 'user'; sshPort: number } | { mode: 'tap'; ifname: string };
  mac: string;
  /** hugetlbfs mount to back guest memory with, when hugepages are asked for. */
  hugepagesPath?: string;
  kernel: string;
  initrd?: string;
  append: string;
  qmpSocket: string;
  pidFile: string;
  consoleLog: string;
  /** The guest writes its facts report to ttyS1 (see images/disk-image-files.ts). */
  factsLog: string;
}

/** The kernel command line for the image's kernel (root on the first virtio disk, console on ttyS0). */
export function defaultAppend(extra?: string): string {
  return ['root=/dev/vda', 'rw', 'console=ttyS0,115200', 'panic=-1', 'systemd.show_status=1', ...(extra ? [extra] : [])].join(' ');
}

export function effectiveCpuModel(accel: Accel, cpuModel: string): string {
  return accel === 'tcg' && cpuModel === 'host' ? 'max' : cpuModel;
}

/** Reject specs QEMU would reject or silently change, naming the field. */
export function validateKvmTarget(spec: KvmTarget): void {
  const bad = (field: string, message: string, hint: string): never => {
    throw new InputError('KVM_BAD_SPEC', `target '${spec.name}': ${message}`, { hint, location: { field } });
  };
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(spec.name)) bad('name', `invalid guest name ${JSON.stringify(spec.name)}`, 'use [a-z0-9-], at most 31 characters, starting with a letter or digit');
  if (!Number.isInteger(spec.cpus) || spec.cpus < 1 || spec.cpus > 255) bad('cpus', `cpus must be a whole number from 1 to 255, not ${spec.cpus}`, 'set cpus: 2');
  if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 128) bad('memoryMiB', `memoryMiB must be a whole number of at least 128, not ${spec.memoryMiB}`, 'a Debian guest needs at least 256 MiB; 1024 is comfortable');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.,=+-]*$/.test(spec.cpuModel)) bad('cpuModel', `invalid CPU model ${JSON.stringify(spec.cpuModel)}`, 'use host (as in 2011), max, or a QEMU model name');
  if (spec.disk.aio === 'native' && spec.disk.cache !== 'none' && spec.disk.cache !== 'directsync') {
    bad('disk.aio', `aio=native needs O_DIRECT, i.e. cache=none or directsync, not cache=${spec.disk.cache}`, 'use cache: none (as tuned in 2011) or aio: threads');
  }
  if (!Number.isInteger(spec.disk.sizeGiB) || spec.disk.sizeGiB < 1) bad('disk.sizeGiB', `disk size must be a whole number of GiB, not ${spec.disk.sizeGiB}`, 'set disk.sizeGiB: 10');
  if (spec.net.mode === 'tap' && !/^[A-Za-z0-9_.-]{1,15}$/.test(spec.net.bridge)) bad('net.bridge', `invalid bridge name ${JSON.stringify(spec.net.bridge)}`, 'a Linux interface name: at most 15 characters of [A-Za-z0-9_.-]');
  if (spec.limits.cpuset !== undefined) {
    const cpus = parseCpuList(spec.limits.cpuset);
    if (!cpus) bad('limits.cpuset', `invalid CPU list ${JSON.stringify(spec.limits.cpuset)}`, 'use a list such as 0-1 or 0,2');
  }
  if (spec.kernel?.append !== undefined && /[\n\0]/.test(spec.kernel.append)) bad('kernel.append', 'the kernel command line may not contain newlines', 'put everything on one line');
}

/** "0-2,5" -> [0,1,2,5]; undefined when malformed. */
export function parseCpuList(text: string): number[] | undefined {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 4096) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out.length ? [...new Set(out)] : undefined;
}

/** A value inside a QEMU option list ("file=...,if=none"): a comma is doubled, or it would start a new option. */
export function qemuOptValue(v: string): string {
  return v.replace(/,/g, ',,');
}

export function qemuArgv(l: QemuLaunch): string[] {
  const argv: string[] = [QEMU_BINARY, '-name', l.name, '-nodefaults', '-no-user-config', '-display', 'none'];
  argv.push('-machine', l.hugepagesPath ? 'pc,memory-backend=vbmem' : 'pc');
  argv.push('-accel', l.accel === 'tcg' ? 'tcg,thread=multi' : 'kvm');
  argv.push('-cpu', effectiveCpuModel(l.accel, l.cpuModel), '-smp', String(l.cpus), '-m', String(l.memoryMiB));
  if (l.hugepagesPath) {
    argv.push('-object', `memory-backend-file,id=vbmem,size=${l.memoryMiB}M,mem-path=${qemuOptValue(l.hugepagesPath)},share=on,prealloc=on`);
  }
  argv.push('-kernel', l.kernel);
  if (l.initrd) argv.push('-initrd', l.initrd);
  argv.push('-append', l.append);
  // vda first on the PCI bus, so root=/dev/vda is the overlay and vdb the seed.
  argv.push('-drive', `file=${qemuOptValue(l.overlay)},if=none,id=vda,format=qcow2,cache=${l.disk.cache},aio=${l.disk.aio},discard=unmap`);
  argv.push('-device', 'virtio-blk-pci,drive=vda,addr=0x4');
  if (l.seed) {
    argv.push('-drive', `file=${qemuOptValue(l.seed)},if=none,id=vdb,format=raw,readonly=on`);
    argv.push('-device', 'virtio-blk-pci,drive=vdb,addr=0x5');
  }
  if (l.net.mode === 'user') {
    argv.push('-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${l.net.sshPort}-:22`);
  } else {
    argv.push('-netdev', `tap,id=net0,ifname=${l.net.ifname},script=no,downscript=no`);
  }
  argv.push('-device', `virtio-net-pci,netdev=net0,mac=${l.mac},addr=0x3`);
  argv.push('-device', 'virtio-rng-pci,addr=0x6');
  argv.push('-serial', `file:${l.consoleLog}`, '-serial', `file:${l.factsLog}`);
  argv.push('-qmp', `unix:${qemuOptValue(l.qmpSocket)},server=on,wait=off`);
  argv.push('-pidfile', l.pidFile, '-daemonize', '-no-reboot');
  return argv;
}
