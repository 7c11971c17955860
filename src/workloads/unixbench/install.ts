/**
 * Put UnixBench on the target and build it there with the target's own compiler: check the
 * prerequisites first (all missing ones in one error, with the install command), upload the
 * verified tree over SFTP, run `make`, record the compiler and the flags it used. A target that
 * already holds a build of the same source tree (same checksum) is reused.
 */
import { posix } from 'node:path';
import { PrerequisiteError, WorkloadError } from '../../core/errors.js';
import type { SshSession } from '../../remote/session.js';
import type { UnixBenchSource } from './source.js';

export const REQUIRED_TOOLS = ['sh', 'make', 'gcc', 'perl', 'expr', 'sort', 'od', 'grep', 'tee', 'wc', 'cat', 'mkdir', 'rm', 'sync', 'sleep', 'tail', 'nohup', 'setsid', 'df', 'locale'] as const;

/** Debian/RPM package names per tool, for the hint. */
const PACKAGES: Record<string, { apt: string; rpm: string }> = {
  make: { apt: 'make', rpm: 'make' },
  gcc: { apt: 'gcc libc6-dev', rpm: 'gcc glibc-devel' },
  perl: { apt: 'perl', rpm: 'perl' },
  grep: { apt: 'grep', rpm: 'grep' },
  setsid: { apt: 'util-linux', rpm: 'util-linux' },
  locale: { apt: 'libc-bin', rpm: 'glibc-common' },
  df: { apt: 'coreutils', rpm: 'coreutils' },
  sh: { apt: 'dash', rpm: 'bash' },
};

export interface UnixBenchInstall {
  /** Absolute path of the UnixBench folder on the target (holds Run). */
  dir: string;
  sourceSha256: string;
  version: string;
  compiler: string;
  cflags: string;
  reused: boolean;
  buildLog?: string;
}

const MARKER = '.virtbench-install.json';

export function installDirFor(home: string, sha256: string): string {
  return posix.join(home, '.virtbench', `unixbench-${sha256.slice(0, 16)}`, 'UnixBench');
}

export function installHint(missing: string[], pkgManager: string | undefined): string {
  const pkgs = new Set<string>();
  const rpm = pkgManager === 'dnf' || pkgManager === 'yum' || pkgManager === 'zypper';
  for (const t of missing) for (const p of (PACKAGES[t] ? (rpm ? PACKAGES[t].rpm : PACKAGES[t].apt) : 'coreutils').split(' ')) pkgs.add(p);
  const list = [...pkgs].join(' ');
  const cmd =
    pkgManager === 'dnf' ? `dnf install -y ${list}` : pkgManager === 'yum' ? `yum install -y ${list}` : pkgManager === 'zypper' ? `zypper install -y ${list}` : pkgManager === 'apk' ? `apk add ${list.replace('libc6-dev', 'musl-dev')}` : `apt-get install -y ${list}`;
  return `install them on the target: ${cmd}`;
}

/** Every missing tool in one error. */
export async function checkPrerequisites(session: SshSession): Promise<void> {
  const script = 'for c in "$@"; do command -v "$c" >/dev/null 2>&1 || echo "missing $c"; done; for m in apt-get dnf yum zypper apk; do command -v $m >/dev/null 2>&1 && { echo "pm $m"; break; }; done; true';
  const r = await session.exec(['sh', '-c', script, 'sh', ...REQUIRED_TOOLS], { timeoutMs: 60_000, retryOnDisconnect: true });
  const missing = [...r.stdout.matchAll(/^missing (.+)$/gm)].map((m) => m[1]!);
  const pm = /^pm (.+)$/m.exec(r.stdout)?.[1];
  if (missing.length) {
    throw new PrerequisiteError('UNIXBENCH_PREREQUISITES', `${session.name} lacks what UnixBench needs: ${missing.join(', ')}`, { hint: installHint(missing, pm) });
  }
}

export async function remoteHome(session: SshSession): Promise<string> {
  const r = await session.exec(['sh', '-c', 'printf %s "$HOME"'], { timeoutMs: 30_000, retryOnDisconnect: true });
  const home = r.stdout.trim();
  if (!home.startsWith('/')) throw new WorkloadError('REMOTE_HOME', `cannot tell the home directory of ${session.name} (got ${JSON.stringify(home)})`, { hint: 'give the account a home directory' });
  return home;
}

export interface InstallOptions {
  /** Where to install on the target; default ~/.virtbench/unixbench-<sha>/UnixBench. */
  dir?: string;
  onLog?: (line: string) => void;
}

export async function installUnixBench(session: SshSession, source: UnixBenchSource, opts: InstallOptions = {}): Promise<UnixBenchInstall> {
  await checkPrerequisites(session);
  const dir = opts.dir ?? installDirFor(await remoteHome(session), source.sha256);
  const marker = posix.join(dir, MARKER);
  const prior = await session.readFile(marker).catch(() => undefined);
  if (prior) {
    try {
      const m = JSON.parse(prior.toString()) as UnixBenchInstall;
      const built = await session.exec(['test', '-x', posix.join(dir, 'pgms', 'dhry2reg')], { retryOnDisconnect: true });
      if (m.sourceSha256 === source.sha256 && built.exitCode === 0) return { ...m, dir, reused: true };
    } catch {
      /* unreadable marker: reinstall */
    }
  }
  const parent = posix.dirname(dir);
  await session.exec(['rm', '-rf', dir], { retryOnDisconnect: true });
  const mk = await session.exec(['mkdir', '-p', parent], { retryOnDisconnect: true });
  if (mk.exitCode !== 0) throw new WorkloadError('UNIXBENCH_INSTALL', `cannot create ${parent} on ${session.name}: ${mk.stderr.trim()}`, { hint: 'check permissions and free space on the target' });
  opts.onLog?.(`uploading ${source.root} to ${session.name}:${dir}`);
  await session.uploadDir(source.root, dir);
  const cc = await session.exec(['sh', '-c', 'gcc --version 2>&1 | head -n 1'], { retryOnDisconnect: true });
  opts.onLog?.(`building with ${cc.stdout.trim()}`);
  const build = await session.exec(['make'], { cwd: dir, timeoutMs: 15 * 60_000, onStdout: (s) => opts.onLog?.(s.trimEnd()), retryOnDisconnect: true });
  const buildLog = build.stdout + build.stderr;
  if (build.exitCode !== 0) {
    const tail = buildLog.trim().split('\n').slice(-8).join('\n    ');
    const noSpace = /No space left/i.test(buildLog);
    throw new WorkloadError(noSpace ? 'UNIXBENCH_DISK_FULL' : 'UNIXBENCH_BUILD_FAILED', `building UnixBench on ${session.name} in ${dir} failed (make exited ${build.exitCode}):\n    ${tail}`, {
      hint: noSpace ? 'free space on the target (df -h) and retry' : 'check that gcc can build C programs there (the C library headers: apt-get install libc6-dev)',
    });
  }
  const result: UnixBenchInstall = {
    dir,
    sourceSha256: source.sha256,
    version: source.version,
    compiler: cc.stdout.trim(),
    cflags: cflagsFromBuildLog(buildLog),
    reused: false,
    buildLog,
  };
  const { buildLog: _omit, ...forMarker } = result;
  await session.writeFile(marker, JSON.stringify(forMarker, null, 2) + '\n');
  return result;
}

/** The flags of the first compiler command make printed (e.g. the dhry2reg build line). */
export function cflagsFromBuildLog(log: string): string {
  const line = log.split('\n').find((l) => /^\s*(gcc|cc|clang)\s.*\s-c?\s*|^\s*(gcc|cc|clang)\s/.test(l) && l.includes('-'));
  if (!line) return '';
  return line
    .trim()
    .split(/\s+/)
    .slice(1)
    .filter((w) => /^-(O|D|W|f|m|std|ansi|pedantic|g)/.test(w))
    .join(' ');
}
