/**
 * A Debian disk that boots by its own bootloader: an MBR partition table, one ext4 partition,
 * GRUB in the MBR with a grub.cfg from the image's own grub-mkconfig, and every kernel package
 * asked for installed. This is a lab machine in a file: it reboots into any of its kernels with
 * `grub-reboot` (or `kexec`) the way a real lab host does, which a -kernel/-initrd guest cannot.
 * Identity (host key, authorized_keys, network) comes from the same seed disk as KVM guests.
 * Cached under cacheDir()/images/<key>/disk.raw; boot it through a copy-on-write overlay.
 */
import { createHash, randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import type { ProgressSink } from '../../core/progress.js';
import { cacheDir } from '../../core/paths.js';
import type { DebianImageSpec } from '../../core/targets.js';
import { diskImageFiles, stageImageRoot } from './disk-image-files.js';
import { DISK_IMAGE_PACKAGES } from './disk-image.js';
import { buildRootfs, requireTool, ROOTFS_BASE_PACKAGES, rootfsKey, type RootfsSpec } from './rootfs.js';

export const BOOT_DISK_RECIPE_VERSION = 1;

const BOOT_PACKAGES = ['grub-pc-bin', 'grub2-common', 'kexec-tools'];

export interface BootDiskSpec extends DebianImageSpec {
  /** Kernel packages to install, e.g. linux-image-6.1.0-47-cloud-amd64. */
  kernelPackages: string[];
  /** Further Debian packages, e.g. lxc for a lab machine that runs containers. */
  extraPackages?: string[];
  sizeGiB?: number;
}

export interface BootDisk {
  key: string;
  dir: string;
  /** Raw disk (MBR, GRUB, one ext4 partition). Read-only: boot an overlay. */
  disk: string;
  /** Kernel releases installed, in GRUB's menu order (the first is the default). */
  kernels: string[];
  defaultKernel: string;
  rootUuid: string;
  built: boolean;
  buildSeconds?: number;
}

interface BootDiskManifest {
  recipe: number;
  key: string;
  rootfsKey: string;
  kernels: string[];
  defaultKernel: string;
  rootUuid: string;
  sizeGiB: number;
  builtAt: string;
  buildSeconds: number;
}

const GRUB_DEFAULTS = `# virtbench boot disk: serial console, no menu delay, the first entry by default.
GRUB_DEFAULT=0
GRUB_TIMEOUT=0
GRUB_TIMEOUT_STYLE=hidden
GRUB_DISTRIBUTOR=Debian
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=ttyS0,115200n8"
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_DISABLE_OS_PROBER=true
GRUB_DISABLE_RECOVERY=true
`;

function rootfsSpecFor(spec: BootDiskSpec): RootfsSpec {
  const kernels = spec.kernelPackages.filter((p) => p.startsWith('linux-image-'));
  if (kernels.length === 0 || kernels.length !== spec.kernelPackages.length) {
    throw new ProviderError('IMAGE_BAD_KERNEL', `expected Debian kernel packages (linux-image-...), got ${JSON.stringify(spec.kernelPackages)}`, { hint: 'apt-cache search linux-image-6.1.0 lists what the mirror serves' });
  }
  const base = DISK_IMAGE_PACKAGES.filter((p) => p !== 'linux-image-amd64');
  return { release: spec.release, arch: spec.arch, mirror: spec.mirror, include: [...new Set([...ROOTFS_BASE_PACKAGES, ...base, ...BOOT_PACKAGES, ...kernels, ...(spec.extraPackages ?? [])])].sort() };
}

export function bootDiskKey(spec: BootDiskSpec): string {
  const rkey = rootfsKey(rootfsSpecFor(spec));
  const text = JSON.stringify({ recipe: BOOT_DISK_RECIPE_VERSION, rkey, size: spec.sizeGiB ?? 4, grub: GRUB_DEFAULTS, files: diskImageFiles() });
  return `boot-${spec.release}-${spec.arch}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

export async function cachedBootDisk(host: CommandHost, spec: BootDiskSpec): Promise<BootDisk | undefined> {
  const key = bootDiskKey(spec);
  const dir = posix.join(cacheDir(), 'images', key);
  const m = await host.readFile(posix.join(dir, 'manifest.json')).then((b) => JSON.parse(b.toString('utf8')) as BootDiskManifest, () => undefined);
  if (!m || !Array.isArray(m.kernels) || typeof m.defaultKernel !== 'string') return undefined;
  return { key, dir, disk: posix.join(dir, 'disk.raw'), kernels: m.kernels, defaultKernel: m.defaultKernel, rootUuid: m.rootUuid, built: false };
}

/** Build the bootable disk, or return the cached one with the same inputs. Runs as root on `host`. */
export async function buildBootDisk(host: CommandHost, spec: BootDiskSpec, progress: ProgressSink, signal?: AbortSignal): Promise<BootDisk> {
  const key = bootDiskKey(spec);
  const subject = `boot disk ${key}`;
  const cached = await cachedBootDisk(host, spec);
  if (cached) {
    progress({ subject, step: 'image', message: `cached: ${cached.dir}` });
    return cached;
  }
  for (const [tool, fix] of [['mkfs.ext4', 'apt-get install e2fsprogs'], ['partx', 'apt-get install util-linux'], ['losetup', 'apt-get install mount']] as const) await requireTool(host, tool, fix);
  const started = Date.now();
  const rootfs = await buildRootfs(host, rootfsSpecFor(spec), progress, signal);
  const size = spec.sizeGiB ?? 4;
  const imagesDir = posix.join(cacheDir(), 'images');
  const dir = posix.join(imagesDir, key);
  const tmp = posix.join(imagesDir, `.build-${key}-${process.pid}`);
  const stage = posix.join(tmp, 'stage');
  const mnt = posix.join(tmp, 'mnt');
  const raw = posix.join(tmp, 'disk.raw');
  const uuid = randomUUID();
  const mounted: string[] = [];
  let loop: string | undefined;
  const release = async () => {
    for (const m of mounted.splice(0).reverse()) await host.run(['umount', m], { allowFailure: true });
    if (loop) {
      await host.run(['partx', '-d', loop], { allowFailure: true });
      await host.run(['losetup', '-d', loop], { allowFailure: true });
      loop = undefined;
    }
  };
  try {
    await host.run(['rm', '-rf', tmp]);
    await host.run(['mkdir', '-p', stage, mnt]);
    await stageImageRoot(host, rootfs, stage, progress, subject, signal);
    // No udev here: the root is named by UUID everywhere, never by the build's loop device.
    await host.writeFile(posix.join(stage, 'etc/fstab'), `UUID=${uuid} / ext4 errors=remount-ro 0 1\n`);
    await host.writeFile(posix.join(stage, 'etc/default/grub'), GRUB_DEFAULTS);

    await host.writeFile(raw, mbr(size));
    await host.run(['truncate', '-s', `${size}G`, raw]);
    loop = (await host.run(['losetup', '-f', '--show', raw])).stdout.trim();
    if (!/^\/dev\/loop\d+$/.test(loop)) throw new ProviderError('IMAGE_BUILD', `losetup printed ${JSON.stringify(loop)}, not a loop device`);
    // losetup -P makes no partition device without udev; partx asks the kernel, devtmpfs makes the node.
    await host.run(['partx', '-a', loop]);
    const part = `${loop}p1`;
    await waitForDevice(host, part);
    progress({ subject, step: 'image', message: `mkfs.ext4 -d (${size} GiB) on ${part}` });
    await host.run(['mkfs.ext4', '-q', '-F', '-L', 'vbroot', '-U', uuid, '-d', stage, part], { signal });
    await host.run(['rm', '-rf', '--one-file-system', stage]);
    await host.run(['mount', part, mnt]);
    mounted.push(mnt);
    for (const fs of ['dev', 'proc', 'sys']) {
      await host.run(['mount', '--bind', `/${fs}`, posix.join(mnt, fs)]);
      mounted.push(posix.join(mnt, fs));
    }
    progress({ subject, step: 'image', message: `grub-install on ${loop}, grub-mkconfig` });
    await host.run(['chroot', mnt, 'grub-install', '--target=i386-pc', '--modules=part_msdos ext2', loop], { signal });
    await host.run(['chroot', mnt, 'grub-mkconfig', '-o', '/boot/grub/grub.cfg'], { signal });
    const cfgPath = posix.join(mnt, 'boot/grub/grub.cfg');
    const cfg = (await host.readFile(cfgPath)).toString('utf8').split(`root=${part}`).join(`root=UUID=${uuid}`);
    if (cfg.includes('/dev/loop')) throw new ProviderError('IMAGE_BUILD', `grub.cfg still names the build's loop device after the root=UUID rewrite`, { hint: `inspect ${cfgPath}` });
    await host.writeFile(cfgPath, cfg);
    const kernels = menuKernels(cfg);
    if (kernels.length < spec.kernelPackages.length) throw new ProviderError('IMAGE_BUILD', `grub.cfg lists kernels ${kernels.join(', ') || 'none'}, fewer than the packages asked for`);
    await release();
    await host.run(['chmod', '0444', raw]);
    const buildSeconds = (Date.now() - started) / 1000;
    const manifest: BootDiskManifest = { recipe: BOOT_DISK_RECIPE_VERSION, key, rootfsKey: rootfs.key, kernels, defaultKernel: kernels[0]!, rootUuid: uuid, sizeGiB: size, builtAt: new Date().toISOString(), buildSeconds };
    await host.writeFile(posix.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await host.run(['rmdir', mnt]);
    const mv = await host.run(['mv', '-T', tmp, dir], { allowFailure: true });
    if (mv.exitCode !== 0) {
      const other = await cachedBootDisk(host, spec);
      if (!other) throw new ProviderError('IMAGE_CACHE', `could not move ${tmp} to ${dir}: ${mv.stderr.trim()}`, { hint: `check that ${imagesDir} is writable` });
      await host.run(['rm', '-rf', '--one-file-system', tmp]);
      return other;
    }
    progress({ subject, step: 'image', message: `built in ${buildSeconds.toFixed(0)} s (kernels ${kernels.join(', ')})`, elapsedSeconds: buildSeconds });
    return { key, dir, disk: posix.join(dir, 'disk.raw'), kernels, defaultKernel: kernels[0]!, rootUuid: uuid, built: true, buildSeconds };
  } catch (e) {
    await release().catch(() => undefined);
    await host.run(['rm', '-rf', '--one-file-system', tmp], { allowFailure: true }).catch(() => undefined);
    if (e instanceof ProviderError) throw e;
    throw new ProviderError('IMAGE_BUILD', `building the boot disk ${key} failed: ${(e as Error).message}`, { hint: `the partial build in ${tmp} was removed`, cause: e });
  }
}

/**
 * A DOS partition table with one bootable Linux partition from sector 2048 to the end of the
 * disk (no sfdisk needed on the build host). GRUB's boot code fills bytes 0-439 later.
 */
export function mbr(sizeGiB: number): Uint8Array {
  const b = new Uint8Array(512);
  const v = new DataView(b.buffer);
  const sectors = (sizeGiB * 1024 ** 3) / 512;
  v.setUint32(440, Math.floor(Math.random() * 2 ** 32), true); // disk signature
  const e = 446;
  b[e] = 0x80; // bootable
  b.set([0xfe, 0xff, 0xff], e + 1); // CHS: use LBA
  b[e + 4] = 0x83; // Linux
  b.set([0xfe, 0xff, 0xff], e + 5);
  v.setUint32(e + 8, 2048, true);
  v.setUint32(e + 12, sectors - 2048, true);
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

/** Kernel releases of grub.cfg's `linux /boot/vmlinuz-<release>` lines, in menu order, without repeats. */
export function menuKernels(cfg: string): string[] {
  const out: string[] = [];
  for (const m of cfg.matchAll(/^\s*linux\s+\S*\/vmlinuz-(\S+)/gm)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}

async function waitForDevice(host: CommandHost, dev: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await host.run(['test', '-b', dev], { allowFailure: true })).exitCode === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ProviderError('IMAGE_BUILD', `${dev} did not appear after partx -a`, { hint: 'the kernel must support partitions on loop devices (max_part)' });
}
