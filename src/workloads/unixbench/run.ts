/**
 * Run `./Run` detached on the target (setsid + nohup, stdin /dev/null), so a dropped SSH
 * connection does not kill it; follow its .log for progress; reattach after a reconnect;
 * detect completion from the exit-status file. A run is started at most once: its run folder
 * is claimed with mkdir (atomic), and a second start finds the claim and follows instead.
 *
 * On the target, <install>/runs/<tag>/ holds: pid, exit, console.txt (stdout+stderr of Run),
 * argv, results/ (UB_RESULTDIR) and tmp/ (UB_TMPDIR).
 */
import { posix } from 'node:path';
import { InterruptedError, WorkloadError } from '../../core/errors.js';
import type { UnixBenchOptions } from '../../core/targets.js';
import { ConnectionLostError } from '../../remote/exec.js';
import type { SshSession } from '../../remote/session.js';
import { LogFollower, planRun, type RunProgress, type PlannedTest } from './progress.js';
import { DEFAULT_UNIXBENCH_VERSION, maxSystemCopies } from './catalogue.js';

export interface RunHandle {
  tag: string;
  installDir: string;
  runDir: string;
  pid: number;
  /** ms since epoch when the harness started the run (or first saw it, after a reattach). */
  startedAt: number;
  /** The arguments given to ./Run. */
  args: string[];
  plan: PlannedTest[];
  /** True when start() found the run already started and attached to it. */
  reattached: boolean;
}

export interface RunOutcome {
  handle: RunHandle;
  exitCode: number;
  /** How many times the connection dropped and was re-established while following. */
  reconnects: number;
}

export function runArgs(o: Partial<UnixBenchOptions>): string[] {
  const args: string[] = [];
  if (o.iterations !== undefined) args.push('-i', String(o.iterations));
  for (const c of o.copies ?? []) args.push('-c', String(c));
  for (const t of o.tests ?? []) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(t)) throw new WorkloadError('UNIXBENCH_BAD_TEST', `invalid UnixBench test name ${JSON.stringify(t)}`, { hint: 'use names such as dhry2reg, syscall, pipe, index' });
    args.push(t);
  }
  return args;
}

const LAUNCH = [
  'rd=$1; ub=$2; loc=$3; shift 3',
  'mkdir -p "$rd" || exit 90',
  // The claim: only the first start gets past this mkdir.
  'mkdir "$rd/claim" 2>/dev/null || { echo "already-started"; exit 0; }',
  'mkdir -p "$rd/results" "$rd/tmp" || exit 92',
  'printf "%s\\n" "$@" > "$rd/argv"',
  'cd "$ub" || exit 93',
  'inner=\'rd=$1; shift; echo $$ > "$rd/pid.tmp" && mv "$rd/pid.tmp" "$rd/pid"; ./Run "$@" </dev/null >"$rd/console.txt" 2>&1; echo $? > "$rd/exit.tmp"; mv "$rd/exit.tmp" "$rd/exit"\'',
  'export LANG="$loc" LC_ALL="$loc" UB_RESULTDIR="$rd/results" UB_TMPDIR="$rd/tmp"',
  'if command -v setsid >/dev/null 2>&1; then setsid nohup sh -c "$inner" sh "$rd" "$@" </dev/null >/dev/null 2>&1 &',
  'else nohup sh -c "$inner" sh "$rd" "$@" </dev/null >/dev/null 2>&1 & fi',
  'i=0; while [ ! -s "$rd/pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
  '[ -s "$rd/pid" ] || exit 94',
  'echo started',
].join('\n');

/** One poll: state of the run and the .log from a byte offset. */
const STATUS = [
  'rd=$1; off=$2',
  'if [ -f "$rd/exit" ]; then echo "exit $(cat "$rd/exit")"',
  'elif [ -s "$rd/pid" ] && kill -0 "$(cat "$rd/pid")" 2>/dev/null; then echo "running $(cat "$rd/pid")"',
  'elif [ -d "$rd/claim" ]; then if [ -s "$rd/pid" ]; then echo "vanished"; else echo "starting"; fi',
  'else echo "absent"; fi',
  'log=$(ls "$rd"/results/*.log 2>/dev/null | head -n 1)',
  'if [ -n "$log" ]; then echo "log"; tail -c +$((off + 1)) "$log"; fi',
].join('\n');

/** Ends a run's whole process group (setsid made the launcher its leader), TERM then KILL. */
const STOP = [
  'rd=$1',
  'pid=$(cat "$rd/pid" 2>/dev/null)',
  '[ -n "$pid" ] || exit 0',
  // `kill -s SIG -- -PGID` is the form dash, bash and busybox all take for a process group.
  'alive() { kill -s 0 -- "-$pid" 2>/dev/null || kill -s 0 "$pid" 2>/dev/null; }',
  'kill -s TERM -- "-$pid" 2>/dev/null || kill -s TERM "$pid" 2>/dev/null',
  'i=0; while alive && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  'kill -s KILL -- "-$pid" 2>/dev/null',
  'i=0; while alive && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  '! alive',
].join('\n');

/** Stop a started run on the target (never touches anything but the PID in its own run folder). */
export async function stopRun(session: SshSession, handle: RunHandle): Promise<void> {
  const r = await session.exec(['sh', '-c', STOP, 'sh', handle.runDir], { timeoutMs: 30_000, retryOnDisconnect: true });
  if (r.exitCode !== 0) {
    throw new WorkloadError('UNIXBENCH_STOP_FAILED', `UnixBench's processes (group ${handle.pid}) on ${session.name} outlived TERM and KILL`, { hint: `check with: ps -o pid,cmd -g ${handle.pid}` });
  }
}

export function validateTag(tag: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(tag)) throw new WorkloadError('UNIXBENCH_BAD_TAG', `invalid run tag ${JSON.stringify(tag)}`, { hint: 'letters, digits, ".", "_", "-"' });
  return tag;
}

export async function checkLocale(session: SshSession, locale: string): Promise<void> {
  if (locale === 'C' || locale === 'POSIX') return;
  const r = await session.exec(['locale', '-a'], { retryOnDisconnect: true, timeoutMs: 30_000 });
  const norm = (l: string) => l.toLowerCase().replace(/utf-?8/, 'utf8');
  const have = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!have.some((l) => norm(l) === norm(locale))) {
    throw new WorkloadError('UNIXBENCH_LOCALE_MISSING', `locale ${locale} is not available on ${session.name} (it has: ${have.slice(0, 12).join(', ')}${have.length > 12 ? ', ...' : ''})`, {
      hint: `generate it on the target (Debian: echo '${locale.replace(/\.utf-?8$/i, '.UTF-8')} UTF-8' >> /etc/locale.gen && locale-gen; or localedef -i ${locale.split('.')[0]} -f UTF-8 ${locale}), or use locale: C`,
    });
  }
}

/** Free space where Run writes (fsdisk writes 32 MB per copy) and where results land. */
export async function checkDiskSpace(session: SshSession, dir: string, copies: number[]): Promise<void> {
  const r = await session.exec(['df', '-Pk', dir], { retryOnDisconnect: true, timeoutMs: 30_000 });
  const availKiB = Number(r.stdout.trim().split('\n').pop()?.split(/\s+/)[3]);
  const needKiB = (Math.max(1, ...copies) * 40 + 20) * 1024;
  if (Number.isFinite(availKiB) && availKiB < needKiB) {
    throw new WorkloadError('UNIXBENCH_DISK_FULL', `only ${Math.round(availKiB / 1024)} MiB free in ${dir} on ${session.name}; UnixBench's file tests need about ${Math.round(needKiB / 1024)} MiB`, {
      hint: 'free space on the target (df -h) or give the guest a bigger disk',
    });
  }
}

/**
 * The copies of a run that does not set them: 1, and all the CPUs the target can use. UnixBench
 * 5.1.3 skips every test above 16 copies, so there the "all CPUs" pass runs 16 (the plan and the
 * report say so); 6.0.0 has no limit.
 */
export function defaultCopies(cpus: number, version: string = DEFAULT_UNIXBENCH_VERSION): number[] {
  const max = maxSystemCopies(version);
  const all = max === undefined ? cpus : Math.min(cpus, max);
  return cpus > 1 ? [1, all] : [1];
}

export interface StartOptions {
  installDir: string;
  tag: string;
  options: Partial<UnixBenchOptions> & { locale: string };
  /** The CPUs the target really has (the default copies: 1 and N when N > 1). */
  cpus: number;
}

/** Starts UnixBench's Run in the background on the guest (detached, logging to files), and returns its handle. */
export async function startUnixBench(session: SshSession, o: StartOptions): Promise<RunHandle> {
  validateTag(o.tag);
  const version = o.options.version ?? DEFAULT_UNIXBENCH_VERSION;
  const max = maxSystemCopies(version);
  const copies = o.options.copies?.length ? o.options.copies : defaultCopies(o.cpus, version);
  const over = max === undefined ? [] : copies.filter((c) => c > max);
  if (over.length) {
    throw new WorkloadError('UNIXBENCH_EMPTY_PASS', `UnixBench ${version} skips every test above ${max} copies: a pass with -c ${over.join(', -c ')} would be empty`, {
      hint: `use at most ${max} copies, or workload.unixbench.version: 6.0.0, which has no limit`,
    });
  }
  // Always explicit: inside a container without lxcfs ./Run would count the host's CPUs.
  const args = runArgs({ ...o.options, copies });
  const plan = planRun({ tests: o.options.tests, copies, iterations: o.options.iterations });
  const runDir = posix.join(posix.dirname(o.installDir), 'runs', o.tag);
  await checkLocale(session, o.options.locale);
  await checkDiskSpace(session, posix.dirname(o.installDir), copies);
  const r = await session.exec(['sh', '-c', LAUNCH, 'sh', runDir, o.installDir, o.options.locale, ...args], { timeoutMs: 60_000, retryOnDisconnect: true });
  if (r.exitCode !== 0) {
    throw new WorkloadError('UNIXBENCH_START_FAILED', `could not start ./Run in ${o.installDir} on ${session.name} (launcher exited ${r.exitCode}): ${r.stderr.trim()}`, {
      hint: r.exitCode === 90 || r.exitCode === 92 ? 'check permissions and free space on the target' : 'install UnixBench first (prepare), then run',
    });
  }
  const reattached = r.stdout.includes('already-started');
  const pidText = await session.readFile(posix.join(runDir, 'pid')).catch(() => Buffer.from(''));
  return { tag: o.tag, installDir: o.installDir, runDir, pid: Number(pidText.toString().trim()) || 0, startedAt: Date.now(), args, plan, reattached };
}

export interface FollowOptions {
  pollMs?: number;
  onProgress?: (p: RunProgress) => void;
  /** Called once when the first test's first pass has been logged. */
  onFirstTest?: () => void;
  signal?: AbortSignal;
  /** Give up after this long without the connection coming back (default 10 min). */
  reconnectDeadlineMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follow a started run until it exits; survives dropped connections. Never starts anything. */
export async function followRun(session: SshSession, handle: RunHandle, o: FollowOptions = {}): Promise<RunOutcome> {
  const follower = new LogFollower(handle.plan, handle.startedAt);
  let offset = 0;
  const reconnectsBefore = session.reconnects;
  let lostSince: number | undefined;
  let firstSeen = false;
  let vanishedPolls = 0;
  while (true) {
    if (o.signal?.aborted) {
      // Stop it: a run left behind would disturb whatever is measured next on that machine
      // (on the bare host nothing else would ever end it), and a resumed run starts afresh.
      const stopped = await stopRun(session, handle).then(() => 'stopped', (e: unknown) => `could not be stopped: ${e instanceof Error ? e.message : String(e)}`);
      throw new InterruptedError(`interrupted: UnixBench on ${session.name} ${stopped} (pid ${handle.pid}, ${handle.runDir})`);
    }
    let out: string;
    try {
      const r = await session.exec(['sh', '-c', STATUS, 'sh', handle.runDir, String(offset)], { timeoutMs: 60_000 });
      out = r.stdout;
      lostSince = undefined;
    } catch (e) {
      if (!(e instanceof ConnectionLostError) && !(e instanceof WorkloadError) && (e as { code?: string }).code !== 'SSH_CONNECT_TIMEOUT' && (e as { code?: string }).code !== 'SSH_EXEC_TIMEOUT') throw e;
      lostSince ??= Date.now();
      if (Date.now() - lostSince > (o.reconnectDeadlineMs ?? 600_000)) throw e;
      await sleep(1000);
      continue;
    }
    const nl = out.indexOf('\n');
    const state = out.slice(0, nl < 0 ? undefined : nl);
    const rest = nl < 0 ? '' : out.slice(nl + 1);
    if (rest.startsWith('log\n')) {
      const chunk = rest.slice(4);
      offset += Buffer.byteLength(chunk);
      follower.feed(chunk);
      if (!firstSeen && follower.started) {
        firstSeen = true;
        o.onFirstTest?.();
      }
      o.onProgress?.(follower.progress());
    }
    if (state.startsWith('exit ')) return { handle, exitCode: Number(state.slice(5)), reconnects: session.reconnects - reconnectsBefore };
    if (state === 'absent') throw new WorkloadError('UNIXBENCH_RUN_MISSING', `no UnixBench run ${handle.tag} in ${handle.runDir} on ${session.name}`, { hint: 'the target may have been re-installed; start the run again' });
    if (state === 'vanished' && ++vanishedPolls >= 3) {
      throw new WorkloadError('UNIXBENCH_RUN_VANISHED', `UnixBench (pid ${handle.pid}) on ${session.name} stopped without writing its exit status (killed, or the machine rebooted)`, {
        hint: `look at ${handle.runDir}/console.txt on the target; run it again with a new tag`,
      });
    }
    // Poll quickly until the first test shows up (start-up is short), then at the normal pace.
    await sleep(firstSeen ? (o.pollMs ?? 5000) : Math.min(500, o.pollMs ?? 5000));
  }
}

/** Map a finished run's exit status and console output to a clear error, or nothing when it is fine. */
export function failureOf(exitCode: number, consoleText: string, where: string): WorkloadError | undefined {
  const abort = /^Run: (.*); aborting\s*$/m.exec(consoleText);
  const noSpace = /No space left on device|disk full/i.test(consoleText);
  if (noSpace) return new WorkloadError('UNIXBENCH_DISK_FULL', `UnixBench on ${where} ran out of disk space${abort ? ` (Run: ${abort[1]}; aborting)` : ''}`, { hint: 'free space on the target (df -h) and run again' });
  const badLocale = /Cannot set LC_ALL|setlocale: LC_ALL: cannot change locale|locale: Cannot set/i.test(consoleText) && abort;
  if (badLocale) return new WorkloadError('UNIXBENCH_LOCALE_MISSING', `UnixBench on ${where} aborted and the locale could not be set: Run: ${abort![1]}; aborting`, { hint: 'generate the locale on the target (locale-gen) or use locale: C' });
  if (abort) return new WorkloadError('UNIXBENCH_ABORTED', `UnixBench on ${where} aborted: "Run: ${abort[1]}; aborting"`, { hint: 'a test printed something unexpected on stderr; see console.txt beside the result' });
  const died = /^Run: (.*)$/m.exec(consoleText);
  if (exitCode !== 0) return new WorkloadError('UNIXBENCH_FAILED', `./Run on ${where} exited ${exitCode}${died ? `: "Run: ${died[1]}"` : ''}`, { hint: died && /unknown (test|option)/.test(died[1]!) ? 'check the test names and options in the suite (Run accepts names such as dhry2reg, syscall, pipe, index)' : 'see console.txt beside the result' });
  return undefined;
}
