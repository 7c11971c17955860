/**
 * A rootfs on a remote host: its own cache first; else the copy cached on this machine,
 * uploaded as one tar stream over the host's SSH connection; else debootstrap on the remote
 * host itself. Measured here (README, "A lab host"): uploading the 408 MB rootfs takes seconds
 * where building it takes minutes, and building here only to upload would cost both, so the
 * build happens where the rootfs is needed.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import { LocalHost } from '../../hosts/local.js';
import type { ProgressSink } from '../../core/progress.js';
import { buildRootfs, cachedRootfs, debootstrapArgv, removeTree, rootfsCacheRoot, rootfsKey, rootfsPathFor, type BuiltRootfs, type RootfsSpec } from './rootfs.js';

export interface RemoteRootfs extends BuiltRootfs {
  via: 'cache' | 'uploaded' | 'built';
  uploadSeconds?: number;
}

export async function rootfsOnHost(host: CommandHost, spec: RootfsSpec, progress: ProgressSink, signal?: AbortSignal): Promise<RemoteRootfs> {
  if (host.isLocal) {
    const r = await buildRootfs(host, spec, progress, signal);
    return { ...r, via: r.built ? 'built' : 'cache' };
  }
  const there = await cachedRootfs(host, spec);
  if (there) {
    progress({ subject: there.key, step: 'image', message: `cached on ${host.name}: ${there.path}` });
    return { ...there, via: 'cache' };
  }
  const here = await cachedRootfs(new LocalHost(), spec);
  if (here) return uploadRootfs(host, here, progress, signal);
  progress({ subject: rootfsKey(spec), step: 'image', message: `not cached here or on ${host.name}: building it on ${host.name}` });
  const built = await buildRootfs(host, spec, progress, signal);
  return { ...built, via: built.built ? 'built' : 'cache' };
}

/**
 * Copy the tree at localDir into remoteDir on `host` (which exists): tar with numeric owners,
 * permissions and xattrs piped into tar there over the SSH connection.
 */
export async function pipeTree(host: CommandHost, localDir: string, remoteDir: string, signal?: AbortSignal): Promise<void> {
  // node's own spawn: its stdout stays paused until piped, so not a byte is lost before the SSH channel opens.
  const tar = spawn('tar', ['-C', localDir, '--numeric-owner', '--xattrs', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let tarErr = '';
  tar.stderr.on('data', (d: Buffer) => (tarErr = (tarErr + d.toString('utf8')).slice(-2000)));
  const sent = new Promise<number | string>((resolve) => {
    tar.once('error', (e) => resolve(e.message));
    tar.once('close', (code, sig) => resolve(code ?? sig ?? 'killed'));
  });
  const [remote, tarExit] = await Promise.all([
    host.run(['tar', '-C', remoteDir, '--numeric-owner', '--xattrs', '-xpf', '-'], { inputStream: tar.stdout, allowFailure: true, timeoutMs: 60 * 60_000, signal }),
    sent,
  ]);
  const remoteError = () => new ProviderError('IMAGE_UPLOAD', `unpacking into ${remoteDir} on ${host.name} failed (exit ${remote.exitCode}): ${remote.stderr.trim().slice(-500)}`, { hint: `check free space on ${host.name}` });
  // When the unpacking side stops first (its disk full), the tar here dies writing into the closed
  // pipe: the remote error is the cause, not the local one.
  const brokenPipe = tarExit === 'SIGPIPE' || /Broken pipe|EPIPE|Cannot write/i.test(`${tarExit} ${tarErr}`);
  if (remote.exitCode !== 0 && (tarExit === 0 || brokenPipe)) throw remoteError();
  if (tarExit !== 0) throw new ProviderError('IMAGE_UPLOAD', `tar of ${localDir} exited ${tarExit}: ${tarErr.trim().slice(-500)}`, { hint: 'check that the cached copy here is readable' });
  if (remote.exitCode !== 0) throw remoteError();
}

/**
 * Copy this machine's cached rootfs into the remote cache: tar (numeric owners, permissions,
 * xattrs) piped into tar on the remote host, into a temporary folder renamed into place only
 * when complete, so the remote cache never holds half a tree.
 */
export async function uploadRootfs(host: CommandHost, local: BuiltRootfs, progress: ProgressSink, signal?: AbortSignal): Promise<RemoteRootfs> {
  const cacheRoot = rootfsCacheRoot(host);
  const entry = posix.join(cacheRoot, local.key);
  const tmp = posix.join(cacheRoot, `.upload-${local.key}-${process.pid}`);
  const started = Date.now();
  progress({ subject: local.key, step: 'image', message: `uploading the rootfs cached here (${local.path}) to ${host.name}:${entry}` });
  await host.run(['mkdir', '-p', posix.join(tmp, 'root')]);
  try {
    await pipeTree(host, local.path, posix.join(tmp, 'root'), signal);
    const uploadSeconds = (Date.now() - started) / 1000;
    const manifest = JSON.parse(await readFile(posix.join(posix.dirname(local.path), 'manifest.json'), 'utf8')) as Record<string, unknown>;
    await host.writeFile(posix.join(tmp, 'manifest.json'), JSON.stringify({ ...manifest, uploadedAt: new Date().toISOString(), uploadSeconds }, null, 2) + '\n');
    const mv = await host.run(['mv', '-T', tmp, entry], { allowFailure: true });
    if (mv.exitCode !== 0) await removeTree(host, tmp); // another controller put it there first: keep theirs
    progress({ subject: local.key, step: 'image', message: `uploaded to ${host.name} in ${uploadSeconds.toFixed(1)} s`, elapsedSeconds: uploadSeconds });
    return { path: rootfsPathFor(local.key, host), key: local.key, built: false, via: 'uploaded', uploadSeconds };
  } catch (e) {
    await removeTree(host, tmp).catch(() => {});
    throw e;
  }
}

/** For --dry-run: how the rootfs gets onto `host` (built there, or uploaded from here when cached here). */
export function planRootfsOnHost(host: CommandHost, spec: RootfsSpec): PlannedCommand[] {
  const root = rootfsPathFor(rootfsKey(spec), host);
  const build: PlannedCommand = { host: host.name, argv: debootstrapArgv(spec, root), purpose: host.isLocal ? 'build the rootfs (only when not cached)' : `when cached neither on ${host.name} nor here: build the rootfs on ${host.name}` };
  if (host.isLocal) return [build];
  return [
    { host: 'local', argv: ['tar', '-C', rootfsPathFor(rootfsKey(spec)), '--numeric-owner', '--xattrs', '-cf', '-', '.'], purpose: `when cached here but not on ${host.name}: upload it, piped over SSH into the next command` },
    { host: host.name, argv: ['tar', '-C', `${posix.dirname(root)}.upload/root`, '--numeric-owner', '--xattrs', '-xpf', '-'], purpose: 'unpack the upload (renamed into the cache when complete)' },
    build,
  ];
}
