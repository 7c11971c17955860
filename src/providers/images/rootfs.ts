/**
 * A Debian root file system built with debootstrap and cached by a key of its inputs, shared by
 * the LXC provider (copied per container) and the KVM image builder (written into a disk image).
 * The cache never holds a half build: debootstrap fills a temporary directory that is renamed
 * into place only when every post-step succeeded.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { execa } from 'execa';
import { PrerequisiteError, ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import type { ProgressSink } from '../../core/progress.js';
import { cacheDir } from '../../core/paths.js';
import type { DebianImageSpec } from '../../core/targets.js';

/** Bump when the build steps change, so old caches are not reused. */
export const ROOTFS_RECIPE_VERSION = 2;

/** What sshd and UnixBench 5.1.3 need (gcc, make, perl with Time::HiRes, procps for ps). */
export const ROOTFS_BASE_PACKAGES: readonly string[] = [
  'openssh-server',
  'systemd-sysv',
  'build-essential',
  'perl',
  'make',
  'gcc',
  'procps',
  'iproute2',
];

export interface RootfsSpec extends DebianImageSpec {
  include: string[];
  /** debootstrap --variant; "minbase" by default (the include list brings what is needed). */
  variant?: 'minbase' | 'default';
}

export interface BuiltRootfs {
  /** The root directory (…/rootfs/<key>/root). Read-only by convention: copy it, never boot it. */
  path: string;
  key: string;
  /** False when it came from the cache. */
  built: boolean;
  buildSeconds?: number;
}

export interface RootfsManifest {
  recipe: number;
  key: string;
  release: string;
  arch: string;
  mirror: string;
  variant: string;
  include: string[];
  builtAt: string;
  buildSeconds: number;
  debootstrap: string;
}

const RELEASE_RE = /^[a-z][a-z0-9-]{1,30}$/;
const PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+$/;

function normalise(spec: RootfsSpec): Required<RootfsSpec> {
  if (!RELEASE_RE.test(spec.release)) {
    throw new ProviderError('ROOTFS_BAD_RELEASE', `invalid Debian release ${JSON.stringify(spec.release)}`, {
      hint: 'use a suite or codename such as "bookworm"',
      location: { field: 'image.release' },
    });
  }
  if (spec.arch !== 'amd64' && spec.arch !== 'i386') {
    throw new ProviderError('ROOTFS_BAD_ARCH', `unsupported architecture ${JSON.stringify(spec.arch)}`, {
      hint: 'use amd64 or i386',
      location: { field: 'image.arch' },
    });
  }
  if (!/^https?:\/\/[^\s]+$/.test(spec.mirror)) {
    throw new ProviderError('ROOTFS_BAD_MIRROR', `invalid mirror URL ${JSON.stringify(spec.mirror)}`, {
      hint: 'use e.g. http://deb.debian.org/debian',
      location: { field: 'image.mirror' },
    });
  }
  for (const p of spec.include) {
    if (!PACKAGE_RE.test(p)) throw new ProviderError('ROOTFS_BAD_PACKAGE', `invalid package name ${JSON.stringify(p)}`, { hint: 'Debian package names are lower-case [a-z0-9+.-]' });
  }
  const include = [...new Set(spec.include)].sort();
  return { release: spec.release, arch: spec.arch, mirror: spec.mirror.replace(/\/+$/, ''), include, variant: spec.variant ?? 'minbase' };
}

/** sha256 of every input that changes the result; the first 16 hex digits name the cache entry. */
export function rootfsKey(spec: RootfsSpec): string {
  const n = normalise(spec);
  const text = JSON.stringify({ recipe: ROOTFS_RECIPE_VERSION, ...n });
  return `debian-${n.release}-${n.arch}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** Where rootfs caches live on a remote host (this machine's may be moved by VIRTBENCH_CACHE). */
export const REMOTE_CACHE_DIR = '/var/cache/virtbench';

export function rootfsCacheRoot(host?: CommandHost): string {
  return posix.join(!host || host.isLocal ? cacheDir() : REMOTE_CACHE_DIR, 'rootfs');
}

export function rootfsPathFor(key: string, host?: CommandHost): string {
  return posix.join(rootfsCacheRoot(host), key, 'root');
}

/** The cached rootfs with these inputs on `host`, or undefined when it is not there. */
export async function cachedRootfs(host: CommandHost, spec: RootfsSpec): Promise<BuiltRootfs | undefined> {
  const key = rootfsKey(spec);
  const entry = posix.join(rootfsCacheRoot(host), key);
  return (await exists(host, posix.join(entry, 'manifest.json'))) ? { path: posix.join(entry, 'root'), key, built: false } : undefined;
}

/** The debootstrap command line that builds `spec` into `root`. */
export function debootstrapArgv(spec: RootfsSpec, root: string): string[] {
  const n = normalise(spec);
  return ['debootstrap', `--arch=${n.arch}`, ...(n.variant === 'minbase' ? ['--variant=minbase'] : []), `--include=${n.include.join(',')}`, n.release, root, n.mirror];
}

/** Build the rootfs, or return the cached one with the same inputs. */
export async function buildRootfs(host: CommandHost, spec: RootfsSpec, progress: ProgressSink, signal?: AbortSignal): Promise<BuiltRootfs> {
  const n = normalise(spec);
  const key = rootfsKey(n);
  const subject = `rootfs ${n.release}/${n.arch}`;
  const cacheRoot = rootfsCacheRoot(host);
  const entry = posix.join(cacheRoot, key);
  if (await exists(host, posix.join(entry, 'manifest.json'))) {
    progress({ subject, step: 'image', message: `cached: ${entry}${host.isLocal ? '' : ` on ${host.name}`}` });
    return { path: posix.join(entry, 'root'), key, built: false };
  }
  await requireTool(host, 'debootstrap', 'apt-get install debootstrap');
  await host.run(['mkdir', '-p', cacheRoot]);
  await removeStaleBuilds(host, key, progress);

  const tmp = posix.join(cacheRoot, `.build-${key}-${process.pid}`);
  const root = posix.join(tmp, 'root');
  const started = Date.now();
  progress({ subject, step: 'image', message: `debootstrap ${n.release} ${n.arch} (${n.variant}) from ${n.mirror} into ${tmp}` });
  try {
    await host.run(['mkdir', '-p', root]);
    const argv = debootstrapArgv(n, root);
    await runStreaming(host, argv, (line) => {
      if (/^[IWE]: /.test(line)) progress({ subject, step: 'image', message: line, elapsedSeconds: (Date.now() - started) / 1000 });
    }, signal);
    await postSteps(host, root);
    const version = (await host.run(['dpkg-query', '-W', '-f=${Version}', 'debootstrap'], { allowFailure: true })).stdout.trim();
    const buildSeconds = (Date.now() - started) / 1000;
    const manifest: RootfsManifest = { recipe: ROOTFS_RECIPE_VERSION, key, ...n, builtAt: new Date().toISOString(), buildSeconds, debootstrap: version };
    await host.writeFile(posix.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    // mv -T onto an existing entry fails: another process finished the same key first, keep theirs.
    const mv = await host.run(['mv', '-T', tmp, entry], { allowFailure: true });
    if (mv.exitCode !== 0) {
      if (!(await exists(host, posix.join(entry, 'manifest.json')))) throw new ProviderError('ROOTFS_CACHE', `could not move ${tmp} to ${entry}: ${mv.stderr.trim()}`, { hint: `check ${cacheRoot} is writable` });
      await removeTree(host, tmp);
    }
    progress({ subject, step: 'image', message: `built ${key} in ${buildSeconds.toFixed(0)} s`, elapsedSeconds: buildSeconds });
    return { path: posix.join(entry, 'root'), key, built: true, buildSeconds };
  } catch (e) {
    await removeTree(host, tmp).catch(() => {});
    if (e instanceof ProviderError || e instanceof PrerequisiteError) throw e;
    throw new ProviderError('ROOTFS_BUILD', `debootstrap of ${n.release}/${n.arch} from ${n.mirror} failed: ${(e as Error).message}`, {
      hint: `check the mirror is reachable and the release exists; the partial build in ${tmp} was removed`,
      cause: e,
    });
  }
}

/** Remove what must not be shared between guests; add a first-boot host-key fallback for disk images. */
async function postSteps(host: CommandHost, root: string): Promise<void> {
  const etc = (p: string) => posix.join(root, 'etc', p);
  const keys = (await host.run(['find', etc('ssh'), '-maxdepth', '1', '-name', 'ssh_host_*'])).stdout.split('\n').filter(Boolean);
  if (keys.length) await host.run(['rm', '-f', ...keys]);
  await host.writeFile(etc('machine-id'), '');
  await host.run(['rm', '-f', posix.join(root, 'var/lib/dbus/machine-id')]);
  // Guests that were not given a key at provision time (a KVM disk) generate their own at first boot.
  await host.writeFile(
    etc('systemd/system/virtbench-ssh-hostkeys.service'),
    [
      '[Unit]',
      'Description=Generate SSH host keys missing from a virtbench image',
      'ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key',
      'Before=ssh.service',
      '',
      '[Service]',
      'Type=oneshot',
      'ExecStart=/usr/bin/ssh-keygen -A',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  );
  await host.run(['mkdir', '-p', etc('systemd/system/multi-user.target.wants')]);
  await host.run(['ln', '-sfn', '/etc/systemd/system/virtbench-ssh-hostkeys.service', etc('systemd/system/multi-user.target.wants/virtbench-ssh-hostkeys.service')]);
  await host.run(['ln', '-sfn', '/lib/systemd/system/ssh.service', etc('systemd/system/multi-user.target.wants/ssh.service')]);
  await host.writeFile(etc('default/locale'), 'LANG=C\n');
  // Every container gets a full copy: documentation and translations only make that copy slower.
  await host.writeFile(etc('dpkg/dpkg.cfg.d/virtbench-nodoc'), ['path-exclude=/usr/share/doc/*', 'path-include=/usr/share/doc/*/copyright', 'path-exclude=/usr/share/man/*', 'path-exclude=/usr/share/locale/*', 'path-exclude=/usr/share/info/*', ''].join('\n'));
  await host.run(['find', posix.join(root, 'usr/share/doc'), '-type', 'f', '!', '-name', 'copyright', '-delete']);
  await host.run(['rm', '-rf', posix.join(root, 'usr/share/man'), posix.join(root, 'usr/share/locale'), posix.join(root, 'usr/share/info')]);
  await host.run(['mkdir', '-p', posix.join(root, 'usr/share/man'), posix.join(root, 'usr/share/locale')]);
  await host.run(['chroot', root, 'apt-get', 'clean'], { allowFailure: true });
  await host.run(['rm', '-rf', posix.join(root, 'var/lib/apt/lists'), posix.join(root, 'debootstrap')]);
  await host.run(['mkdir', '-p', posix.join(root, 'var/lib/apt/lists/partial')]);
}

export interface GuestIdentity {
  hostname: string;
  /** The run's public key, installed as root's only authorized key. */
  authorizedKey: string;
}

/**
 * Make a copied rootfs into one guest: hostname, machine-id, its own ed25519 host key (returned
 * as the OpenSSH public line to pin) and root's authorized_keys. Never applied to the cache.
 */
export async function personaliseRootfs(host: CommandHost, root: string, id: GuestIdentity): Promise<{ hostKey: string }> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id.hostname)) throw new ProviderError('GUEST_BAD_NAME', `invalid hostname ${JSON.stringify(id.hostname)}`, { hint: 'use [a-z0-9-], at most 63 characters' });
  const etc = (p: string) => posix.join(root, 'etc', p);
  await host.writeFile(etc('hostname'), `${id.hostname}\n`);
  await host.writeFile(etc('hosts'), `127.0.0.1 localhost\n127.0.1.1 ${id.hostname}\n::1 localhost ip6-localhost ip6-loopback\n`);
  const keyFile = etc('ssh/ssh_host_ed25519_key');
  await host.run(['rm', '-f', keyFile, `${keyFile}.pub`]);
  await host.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${id.hostname}`, '-f', keyFile]);
  const pub = (await host.readFile(`${keyFile}.pub`)).toString('utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const ssh = posix.join(root, 'root/.ssh');
  await host.run(['mkdir', '-p', ssh]);
  await host.run(['chmod', '700', ssh]);
  await host.writeFile(posix.join(ssh, 'authorized_keys'), `${id.authorizedKey.trim()}\n`, 0o600);
  return { hostKey: pub };
}

async function exists(host: CommandHost, path: string): Promise<boolean> {
  return (await host.run(['test', '-e', path], { allowFailure: true })).exitCode === 0;
}

export async function requireTool(host: CommandHost, tool: string, fix: string): Promise<void> {
  const r = await host.run(['sh', '-c', 'command -v "$1"', 'sh', tool], { allowFailure: true });
  if (r.exitCode !== 0) throw new PrerequisiteError('MISSING_TOOL', `${tool} is not installed on ${host.name}`, { hint: fix });
}

/** Unmount anything a killed debootstrap left mounted inside the tree, then remove it without crossing file systems. */
export async function removeTree(host: CommandHost, dir: string): Promise<void> {
  const mounts = (await host.readFile('/proc/mounts')).toString('utf8').split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await host.run(['umount', '-l', m], { allowFailure: true });
  await host.run(['rm', '-rf', '--one-file-system', dir]);
}

/** Remove temporary build directories of `key` whose building process is gone (a killed build). */
export async function removeStaleBuilds(host: CommandHost, key: string, progress: ProgressSink): Promise<void> {
  const prefix = `.build-${key}-`;
  const names = (await host.run(['ls', '-A', rootfsCacheRoot(host)])).stdout.split('\n').filter((n) => n.startsWith(prefix));
  for (const name of names) {
    const pid = Number(name.slice(prefix.length));
    // On a remote host the PID is another controller's: a folder of a live process here is kept.
    if (Number.isInteger(pid) && (host.isLocal ? await exists(host, `/proc/${pid}`) : pid === process.pid)) continue; // a build in progress
    progress({ subject: key, step: 'image', message: `removing an interrupted build: ${name}`, level: 'warn' });
    await removeTree(host, posix.join(rootfsCacheRoot(host), name));
  }
}

/**
 * Run a long command and hand each output line to onLine as it appears. CommandHost has no
 * streaming call, so on this machine execa is used directly; elsewhere lines arrive at the end.
 */
async function runStreaming(host: CommandHost, argv: string[], onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const timeoutMs = 60 * 60_000;
  if (!host.isLocal) {
    const r = await host.run(argv, { timeoutMs, signal });
    for (const l of `${r.stdout}\n${r.stderr}`.split('\n')) if (l) onLine(l);
    return;
  }
  const [file, ...args] = argv as [string, ...string[]];
  const child = execa(file, args, { reject: false, timeout: timeoutMs, cancelSignal: signal, stdin: 'ignore', all: true, lines: false });
  const tail: string[] = [];
  let buf = '';
  child.all?.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      tail.push(line);
      if (tail.length > 20) tail.shift();
      onLine(line);
    }
  });
  const r = await child;
  if (r.exitCode !== 0) throw new Error(`\`${argv.join(' ')}\` ${r.timedOut ? 'timed out' : `exited ${r.exitCode ?? r.signal}`}:\n    ${tail.slice(-8).join('\n    ')}`);
}
