/**
 * A KVM disk image on a remote host, the way its rootfs gets there (rootfs-remote.ts): the
 * host's own cache; else the image cached on this machine, uploaded as one tar stream over the
 * SSH connection into a temporary folder renamed into place when complete; else built on the
 * host (from its rootfs, itself uploaded from here when cached here). Measured figures: README,
 * "A lab host".
 */

import { posix } from 'node:path';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { ProgressSink } from '../../core/progress.js';
import { LocalHost } from '../../hosts/local.js';
import { buildDiskImage, cachedDiskImage, diskImageDir, diskImageKey, imagesRoot, type DiskImage, type DiskImageSpec } from './disk-image.js';
import { pipeTree } from './rootfs-remote.js';
import { removeTree } from './rootfs.js';

export interface HostDiskImage extends DiskImage {
  via: 'cache' | 'uploaded' | 'built';
  uploadSeconds?: number;
}

export async function diskImageOnHost(host: CommandHost, spec: DiskImageSpec, progress: ProgressSink, signal?: AbortSignal): Promise<HostDiskImage> {
  if (!host.isLocal) {
    const there = await cachedDiskImage(host, spec);
    if (there) {
      progress({ subject: `image ${there.key}`, step: 'image', message: `cached on ${host.name}: ${there.dir}` });
      return { ...there, via: 'cache' };
    }
    const here = await cachedDiskImage(new LocalHost(), spec);
    if (here) return uploadDiskImage(host, here, spec, progress, signal);
  }
  const built = await buildDiskImage(host, spec, progress, signal);
  return { ...built, via: built.built ? 'built' : 'cache' };
}

export async function uploadDiskImage(host: CommandHost, local: DiskImage, spec: DiskImageSpec, progress: ProgressSink, signal?: AbortSignal): Promise<HostDiskImage> {
  const entry = diskImageDir(local.key, host);
  const tmp = posix.join(imagesRoot(host), `.upload-${local.key}-${process.pid}`);
  const started = Date.now();
  progress({ subject: `image ${local.key}`, step: 'image', message: `uploading the disk image cached here (${local.dir}) to ${host.name}:${entry}` });
  await host.run(['mkdir', '-p', tmp]);
  try {
    await pipeTree(host, local.dir, tmp, signal);
    const mv = await host.run(['mv', '-T', tmp, entry], { allowFailure: true });
    if (mv.exitCode !== 0) await removeTree(host, tmp); // another controller put it there first: keep theirs
    const uploadSeconds = (Date.now() - started) / 1000;
    progress({ subject: `image ${local.key}`, step: 'image', message: `uploaded to ${host.name} in ${uploadSeconds.toFixed(1)} s`, elapsedSeconds: uploadSeconds });
    const there = await cachedDiskImage(host, spec);
    if (!there) throw new Error(`the uploaded disk image is not in ${entry} on ${host.name}`);
    return { ...there, via: 'uploaded', uploadSeconds };
  } catch (e) {
    await removeTree(host, tmp).catch(() => {});
    throw e;
  }
}

/** For --dry-run on a remote host: the upload that happens when the image is cached here but not there. */
export function planDiskImageUpload(host: CommandHost, spec: DiskImageSpec): PlannedCommand[] {
  const key = diskImageKey(spec);
  return [
    { host: 'local', argv: ['tar', '-C', diskImageDir(key), '--numeric-owner', '--xattrs', '-cf', '-', '.'], purpose: `when cached here but not on ${host.name}: upload the disk image, piped over SSH into the next command` },
    { host: host.name, argv: ['tar', '-C', `${diskImageDir(key, host)}.upload`, '--numeric-owner', '--xattrs', '-xpf', '-'], purpose: 'unpack the upload (renamed into the cache when complete)' },
  ];
}
