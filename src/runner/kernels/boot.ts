/**
 * The commands that move a lab host to another kernel, run over its SSH connection. None of them
 * waits for the host to come back (wait.ts does); none changes the host's default kernel:
 * grub-reboot sets a one-time entry that GRUB clears as it boots it, and kexec bypasses GRUB.
 */
import { posix } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import { defaultEntry, entryFor, grubRebootArgument, parseGrubenv, parseGrubMenu, type MenuEntry } from './grub-menu.js';

export type BootMethod = 'grub-reboot' | 'kexec';

export interface HostBootState {
  release: string;
  bootId: string;
}

export async function probeBoot(host: CommandHost, timeoutMs = 30_000): Promise<HostBootState> {
  const r = await host.run(['sh', '-c', 'uname -r; cat /proc/sys/kernel/random/boot_id'], { timeoutMs });
  const [release = '', bootId = ''] = r.stdout.trim().split('\n').map((s) => s.trim());
  return { release, bootId };
}

export interface GrubView {
  menu: MenuEntry[];
  defaultRelease?: string;
  nextEntry?: string;
}

/** What Fedora/RHEL's GRUB layout needs and virtbench does not read yet. */
const NOT_DEBIAN_GRUB = 'GRUB as Fedora and RHEL package it (/boot/grub2, grub2-reboot, BootLoaderSpec entries in /boot/loader/entries) is not supported yet: use a Debian or Ubuntu lab host, or boot each kernel yourself and run the suite once per kernel (compare --variable kernel then compares the runs)';

export async function readGrub(host: CommandHost): Promise<GrubView> {
  const cfg = await host.readFile('/boot/grub/grub.cfg').then((b) => b.toString('utf8'), async (e: Error) => {
    const grub2 = (await host.run(['test', '-e', '/boot/grub2/grub.cfg'], { allowFailure: true })).exitCode === 0;
    if (grub2) throw new ProviderError('GRUB_LAYOUT', `${host.name} has /boot/grub2/grub.cfg, not /boot/grub/grub.cfg`, { hint: NOT_DEBIAN_GRUB });
    throw new ProviderError('GRUB_UNREADABLE', `cannot read /boot/grub/grub.cfg on ${host.name}: ${e.message}`, { hint: 'host kernels are switched through GRUB (or kexec): the lab host must boot with GRUB 2 and have update-grub run' });
  });
  const env = parseGrubenv((await host.run(['grub-editenv', '/boot/grub/grubenv', 'list'], { allowFailure: true, timeoutMs: 30_000 })).stdout);
  const menu = parseGrubMenu(cfg);
  // grub.cfg that only loads BootLoaderSpec entries (blscfg) names no kernel itself.
  if (/^\s*blscfg\b/m.test(cfg) && !menu.some((e) => e.release)) {
    throw new ProviderError('GRUB_LAYOUT', `GRUB on ${host.name} reads its kernels from BootLoaderSpec entries (blscfg), not from grub.cfg`, { hint: NOT_DEBIAN_GRUB });
  }
  return { menu, defaultRelease: defaultEntry(menu, cfg, env)?.release, nextEntry: env.next_entry || undefined };
}

function notInstalled(host: CommandHost, release: string, menu: MenuEntry[]): ProviderError {
  const have = [...new Set(menu.filter((e) => e.release && !e.recovery).map((e) => e.release!))];
  return new ProviderError('KERNEL_NOT_INSTALLED', `kernel ${release} is not in GRUB's menu on ${host.name} (it has: ${have.join(', ') || 'none'})`, {
    hint: `install it on the lab host (apt-get install linux-image-${release}; update-grub), or fix kernels.releases in the suite`,
    location: { field: 'kernels.releases' },
  });
}

/** Everything a switch needs is there (the kernel in GRUB's menu, kexec installed): checked before any reboot. */
export async function checkSwitchable(host: CommandHost, grub: GrubView, releases: readonly string[], method: BootMethod): Promise<void> {
  for (const r of releases) if (!entryFor(grub.menu, r)) throw notInstalled(host, r, grub.menu);
  const tool = method === 'kexec' ? 'kexec' : 'grub-reboot';
  const r = await host.run(['sh', '-c', 'command -v "$1"', 'sh', tool], { allowFailure: true });
  if (r.exitCode !== 0) {
    throw new ProviderError('KERNEL_SWITCH_TOOL', `${tool} is not installed on ${host.name}`, { hint: method === 'kexec' ? 'apt-get install kexec-tools on the lab host, or use kernels.boot: grub-reboot' : 'the lab host needs GRUB 2 (grub2-common)' });
  }
}

/** Ask the host to boot `release` next and reboot it. Returns once the reboot is under way (the connection may drop). */
export async function startBoot(host: CommandHost, grub: GrubView, release: string, method: BootMethod): Promise<void> {
  const entry = entryFor(grub.menu, release);
  if (!entry) throw notInstalled(host, release, grub.menu);
  if (method === 'grub-reboot') {
    await host.run(['grub-reboot', grubRebootArgument(entry)], { timeoutMs: 30_000 });
    await requestReboot(host, ['systemctl', 'reboot']);
    return;
  }
  // The files GRUB's entry boots, so that kexec loads the same kernel and initramfs whatever the
  // distribution names them (Debian's initrd.img-R, Fedora's initramfs-R.img).
  const image = await onHost(host, entry.image ?? `/boot/vmlinuz-${release}`);
  if (!image) throw new ProviderError('KEXEC_IMAGE', `the kernel image of ${release} (${entry.image ?? `/boot/vmlinuz-${release}`}) is not on ${host.name}`, { hint: 'reinstall the kernel package and run update-grub, or use kernels.boot: grub-reboot' });
  // kexec takes one initrd: an early-microcode image listed first is left out, the initramfs is the last.
  const initrdPath = entry.initrds?.at(-1) ?? (entry.image ? undefined : `/boot/initrd.img-${release}`);
  const initrd = initrdPath ? await onHost(host, initrdPath) : undefined;
  // Booted without the initramfs GRUB gives it, the kernel would not find its root file system.
  if (initrdPath && !initrd && entry.initrds?.length) throw new ProviderError('KEXEC_IMAGE', `the initramfs of ${release} (${initrdPath}) is not on ${host.name}`, { hint: 'run update-initramfs -u -k ' + release + ' on the lab host, or use kernels.boot: grub-reboot' });
  const cmdline = entry.cmdline ?? (await host.run(['cat', '/proc/cmdline'])).stdout.trim().replace(/^BOOT_IMAGE=\S+\s*/, '');
  await host.run(['kexec', '-l', image, ...(initrd ? [`--initrd=${initrd}`] : []), `--command-line=${cmdline}`], { timeoutMs: 120_000 });
  await requestReboot(host, ['systemctl', 'kexec']);
}

/** Where a file GRUB names is on the running host (GRUB names files relative to the partition or subvolume holding them). */
async function onHost(host: CommandHost, grubPath: string): Promise<string | undefined> {
  // As named, under /boot, or its file name in /boot (GRUB on btrfs or ZFS names a subvolume path such as /@/boot/vmlinuz-R).
  for (const p of [...new Set([grubPath, posix.join('/boot', grubPath), posix.join('/boot', posix.basename(grubPath))])]) {
    if ((await host.run(['test', '-f', p], { allowFailure: true })).exitCode === 0) return p;
  }
  return undefined;
}

/** Leave the host to boot its default kernel: drop a one-time entry a switch may have left (kexec leaves none). */
export async function clearOneTimeEntry(host: CommandHost): Promise<void> {
  await host.run(['grub-editenv', '/boot/grub/grubenv', 'unset', 'next_entry'], { allowFailure: true, timeoutMs: 30_000 });
}

export async function rebootToDefault(host: CommandHost): Promise<void> {
  await clearOneTimeEntry(host);
  await requestReboot(host, ['systemctl', 'reboot']);
}

async function requestReboot(host: CommandHost, argv: string[]): Promise<void> {
  try {
    const r = await host.run(argv, { allowFailure: true, timeoutMs: 30_000 });
    if (r.exitCode !== 0 && !/terminated|closed|lost/i.test(r.stderr)) {
      throw new ProviderError('KERNEL_SWITCH_FAILED', `\`${argv.join(' ')}\` failed on ${host.name}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, { hint: 'run it by hand on the lab host to see why' });
    }
  } catch (e) {
    // The host going down under the command is what was asked for.
    if (e instanceof ProviderError) throw e;
  }
}
