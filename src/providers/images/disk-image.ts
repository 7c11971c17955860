/**
 * A Debian disk image for KVM guests: the shared debootstrap rootfs (rootfs.ts) plus a kernel,
 * written into an ext4 file system with `mkfs.ext4 -d` (nothing is mounted) and converted to a
 * qcow2 base. The kernel and initrd sit beside it so guests boot with -kernel/-initrd and
 * root=/dev/vda. Cached under cacheDir()/images/<key>, keyed by every input; a build happens
 * in a temporary directory renamed into place only when complete.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { ProgressSink } from '../../core/progress.js';
import { cacheDir } from '../../core/paths.js';
import type { DebianImageSpec } from '../../core/targets.js';
import { diskImageFiles, stageImageRoot } from './disk-image-files.js';
import { REMOTE_CACHE_DIR, requireTool, ROOTFS_BASE_PACKAGES, rootfsKey, type RootfsSpec } from './rootfs.js';
import { rootfsOnHost } from './rootfs-remote.js';

/** Bump when the image recipe (files, layout) changes. */
export const DISK_IMAGE_RECIPE_VERSION = 1;

/** Beyond what rootfs.ts installs: a kernel that boots from virtio, and resize2fs for grown overlays. */
// dbus: systemd-logind needs it to turn the ACPI power button (QMP system_powerdown) into a clean poweroff.
export const DISK_IMAGE_PACKAGES: readonly string[] = ['linux-image-amd64', 'initramfs-tools', 'udev', 'kmod', 'e2fsprogs', 'dbus'];

export interface DiskImageSpec extends DebianImageSpec {
  /** Size of the base file system; guests with a larger disk grow it at boot. Default 4. */
  baseSizeGiB?: number;
  /** Extra packages on top of ROOTFS_BASE_PACKAGES + DISK_IMAGE_PACKAGES. */
  extraPackages?: string[];
  /** The kernel to put beside the image (`uname -r` of an installed package); default the newest. */
  kernelRelease?: string;
}

export interface DiskImage {
  key: string;
  dir: string;
  /** qcow2 base; read-only, every guest boots from its own overlay on top. */
  base: string;
  baseSizeGiB: number;
  kernel: string;
  initrd: string;
  /** The image kernel's release ("6.1.0-18-amd64"). */
  kernelRelease: string;
  built: boolean;
  buildSeconds?: number;
}

export interface DiskImageManifest {
  recipe: number;
  key: string;
  rootfsKey: string;
  spec: RootfsSpec & { baseSizeGiB: number };
  kernelRelease: string;
  builtAt: string;
  buildSeconds: number;
  qemuImg: string;
}

function rootfsSpecFor(spec: DiskImageSpec): RootfsSpec {
  return {
    release: spec.release,
    arch: spec.arch,
    mirror: spec.mirror,
    include: [...new Set([...ROOTFS_BASE_PACKAGES, ...DISK_IMAGE_PACKAGES, ...(spec.extraPackages ?? [])])].sort(),
  };
}

function baseSize(spec: DiskImageSpec): number {
  const size = spec.baseSizeGiB ?? 4;
  if (!Number.isInteger(size) || size < 1 || size > 1024) {
    throw new ProviderError('IMAGE_BAD_SIZE', `invalid base image size ${size} GiB`, { hint: 'use a whole number of GiB between 1 and 1024', location: { field: 'image.baseSizeGiB' } });
  }
  return size;
}

/** sha256 of the rootfs inputs, the image files and the size; names the cache entry. */
export function diskImageKey(spec: DiskImageSpec): string {
  if (spec.arch !== 'amd64') {
    throw new ProviderError('IMAGE_BAD_ARCH', `KVM disk images are built for amd64 only, not ${spec.arch}`, { hint: 'use image.arch: amd64 for kvm targets', location: { field: 'image.arch' } });
  }
  const rkey = rootfsKey(rootfsSpecFor(spec));
  const text = JSON.stringify({ recipe: DISK_IMAGE_RECIPE_VERSION, rkey, size: baseSize(spec), files: diskImageFiles(), ...(spec.kernelRelease ? { kernel: spec.kernelRelease } : {}) });
  return `kvm-${spec.release}-${spec.arch}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** The images folder of `host`'s cache (this machine's when absent). */
export function imagesRoot(host?: CommandHost): string {
  return posix.join(!host || host.isLocal ? cacheDir() : REMOTE_CACHE_DIR, 'images');
}

export function diskImageDir(key: string, host?: CommandHost): string {
  return posix.join(imagesRoot(host), key);
}

/** The image's files when it is cached already (no build). */
export async function cachedDiskImage(host: CommandHost, spec: DiskImageSpec): Promise<DiskImage | undefined> {
  const key = diskImageKey(spec);
  const dir = diskImageDir(key, host);
  const m = await host.readFile(posix.join(dir, 'manifest.json')).then((b) => JSON.parse(b.toString('utf8')) as DiskImageManifest, () => undefined);
  if (!m) return undefined;
  return { key, dir, base: posix.join(dir, 'base.qcow2'), baseSizeGiB: m.spec.baseSizeGiB, kernel: posix.join(dir, 'vmlinuz'), initrd: posix.join(dir, 'initrd.img'), kernelRelease: m.kernelRelease, built: false };
}

/** The commands buildDiskImage would run on a cold cache, for --dry-run. */
export function planDiskImage(hostName: string, spec: DiskImageSpec): PlannedCommand[] {
  const key = diskImageKey(spec);
  const dir = diskImageDir(key);
  const tmp = posix.join(cacheDir(), 'images', `.build-${key}-<pid>`);
  const r = rootfsSpecFor(spec);
  return [
    { host: hostName, argv: ['debootstrap', `--arch=${r.arch}`, '--variant=minbase', `--include=${r.include.join(',')}`, r.release, `${cacheDir()}/rootfs/${rootfsKey(r)}/root`, r.mirror], purpose: 'build the rootfs (skipped when cached)' },
    { host: hostName, argv: ['cp', '-a', '--reflink=auto', `${cacheDir()}/rootfs/${rootfsKey(r)}/root/.`, `${tmp}/stage/`], purpose: 'stage the rootfs for the disk image' },
    { host: hostName, argv: ['truncate', '-s', `${baseSize(spec)}G`, `${tmp}/base.raw`], purpose: 'raw disk file' },
    { host: hostName, argv: ['mkfs.ext4', '-q', '-F', '-L', 'vbroot', '-d', `${tmp}/stage`, `${tmp}/base.raw`], purpose: 'ext4 file system filled from the staged rootfs (no mount)' },
    { host: hostName, argv: ['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', `${tmp}/base.raw`, `${tmp}/base.qcow2`], purpose: 'qcow2 base image' },
    { host: hostName, argv: ['mv', '-T', tmp, dir], purpose: 'publish the image into the cache' },
  ];
}

/** Build the disk image, or return the cached one with the same inputs. */
export async function buildDiskImage(host: CommandHost, spec: DiskImageSpec, progress: ProgressSink, signal?: AbortSignal): Promise<DiskImage> {
  const key = diskImageKey(spec);
  const size = baseSize(spec);
  const dir = diskImageDir(key, host);
  const subject = `image ${key}`;
  const cached = await cachedDiskImage(host, spec);
  if (cached) {
    progress({ subject, step: 'image', message: `cached: ${dir}` });
    return cached;
  }
  for (const [tool, fix] of [['mkfs.ext4', 'apt-get install e2fsprogs'], ['qemu-img', 'apt-get install qemu-utils']] as const) await requireTool(host, tool, fix);
  const started = Date.now();
  const rspec = rootfsSpecFor(spec);
  // On a remote host: its cached rootfs, else this machine's uploaded, else debootstrap there.
  const rootfs = await rootfsOnHost(host, rspec, progress, signal);
  const imagesDir = imagesRoot(host);
  const tmp = posix.join(imagesDir, `.build-${key}-${process.pid}`);
  const stage = posix.join(tmp, 'stage');
  const raw = posix.join(tmp, 'base.raw');
  try {
    await host.run(['rm', '-rf', tmp]);
    await host.run(['mkdir', '-p', stage]);
    await stageImageRoot(host, rootfs, stage, progress, subject, signal);
    const kernelRelease = await imageKernel(host, stage, spec.kernelRelease);
    await host.run(['cp', posix.join(stage, 'boot', `vmlinuz-${kernelRelease}`), posix.join(tmp, 'vmlinuz')]);
    await host.run(['cp', posix.join(stage, 'boot', `initrd.img-${kernelRelease}`), posix.join(tmp, 'initrd.img')]);
    progress({ subject, step: 'image', message: `mkfs.ext4 -d (${size} GiB) with kernel ${kernelRelease}` });
    await host.run(['truncate', '-s', `${size}G`, raw]);
    await host.run(['mkfs.ext4', '-q', '-F', '-L', 'vbroot', '-d', stage, raw], { signal });
    await host.run(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, posix.join(tmp, 'base.qcow2')], { signal });
    await host.run(['chmod', '0444', posix.join(tmp, 'base.qcow2')]);
    await host.run(['rm', '-rf', '--one-file-system', stage, raw]);
    const buildSeconds = (Date.now() - started) / 1000;
    const qemuImg = (await host.run(['qemu-img', '--version'])).stdout.split('\n')[0] ?? '';
    const manifest: DiskImageManifest = { recipe: DISK_IMAGE_RECIPE_VERSION, key, rootfsKey: rootfs.key, spec: { ...rspec, baseSizeGiB: size }, kernelRelease, builtAt: new Date().toISOString(), buildSeconds, qemuImg };
    await host.writeFile(posix.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const mv = await host.run(['mv', '-T', tmp, dir], { allowFailure: true });
    if (mv.exitCode !== 0) {
      const other = await cachedDiskImage(host, spec);
      if (!other) throw new ProviderError('IMAGE_CACHE', `could not move ${tmp} to ${dir}: ${mv.stderr.trim()}`, { hint: `check that ${imagesDir} is writable` });
      await host.run(['rm', '-rf', '--one-file-system', tmp]);
      return other; // another process finished the same key first
    }
    progress({ subject, step: 'image', message: `built in ${buildSeconds.toFixed(0)} s`, elapsedSeconds: buildSeconds });
    return { key, dir, base: posix.join(dir, 'base.qcow2'), baseSizeGiB: size, kernel: posix.join(dir, 'vmlinuz'), initrd: posix.join(dir, 'initrd.img'), kernelRelease, built: true, buildSeconds };
  } catch (e) {
    await host.run(['rm', '-rf', '--one-file-system', tmp], { allowFailure: true }).catch(() => {});
    if (e instanceof ProviderError) throw e;
    throw new ProviderError('IMAGE_BUILD', `building the KVM disk image ${key} failed: ${(e as Error).message}`, { hint: `the partial build in ${tmp} was removed; check free space in ${imagesDir}`, cause: e });
  }
}

async function imageKernel(host: CommandHost, root: string, wanted?: string): Promise<string> {
  const names = (await host.run(['ls', '-1', posix.join(root, 'boot')])).stdout.split('\n');
  const releases = names.filter((n) => n.startsWith('vmlinuz-')).map((n) => n.slice('vmlinuz-'.length));
  const withInitrd = releases.filter((r) => names.includes(`initrd.img-${r}`));
  if (withInitrd.length === 0) {
    throw new ProviderError('IMAGE_NO_KERNEL', `no kernel with an initrd in ${root}/boot (found: ${names.filter(Boolean).join(', ') || 'nothing'})`, { hint: 'the rootfs must include linux-image-amd64 and initramfs-tools' });
  }
  if (wanted !== undefined) {
    if (!withInitrd.includes(wanted)) throw new ProviderError('IMAGE_NO_KERNEL', `kernel ${wanted} is not in ${root}/boot with an initrd (found: ${withInitrd.join(', ')})`, { hint: 'the kernel package installs /boot/vmlinuz-<release>; check the package name', location: { field: 'kernel.package' } });
    return wanted;
  }
  return withInitrd.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1)!;
}
