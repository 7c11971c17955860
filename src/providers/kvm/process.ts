/**
 * The QEMU process: started daemonized (the parent exits once the guest is set up, the
 * daemon's PID is in the pid file), identified later by PID *and* by its pid-file argument so a
 * recycled PID is never killed, and killed by PID only.
 */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrerequisiteError, ProviderError } from '../../core/errors.js';

/**
 * Start QEMU; resolves with the daemon's PID. Its early stderr (before daemonizing) goes to stderrLog.
 * Not cancellable on purpose: killing the launching process mid-start can orphan a daemon that has
 * already forked but not yet written its PID, which nothing could then find. The start takes a
 * second or two; the caller checks its AbortSignal right after, with the PID in hand.
 */
export async function startQemu(argv: readonly string[], pidFile: string, stderrLog: string): Promise<number> {
  const [file, ...args] = argv as [string, ...string[]];
  const r = await execa(file, args, {
    reject: false,
    stdin: 'ignore',
    stdout: { file: stderrLog, append: true },
    stderr: { file: stderrLog, append: true },
    timeout: 120_000,
  });
  const log = await readFile(stderrLog, 'utf8').catch(() => '');
  if (r.failed) {
    if ((r as { code?: string }).code === 'ENOENT') {
      throw new PrerequisiteError('QEMU_MISSING', `${file} is not installed`, { hint: 'apt-get install qemu-system-x86' });
    }
    throw classifyStartFailure(argv, r.exitCode, log, stderrLog);
  }
  const pid = await readPidFile(pidFile, 5_000);
  if (!pid) throw new ProviderError('QEMU_NO_PID', `QEMU started but wrote no PID to ${pidFile}`, { hint: `see ${stderrLog}` });
  return pid;
}

/** Turn QEMU's start-up complaint into an error that says what to do. */
export function classifyStartFailure(argv: readonly string[], exitCode: number | undefined, log: string, logPath: string): ProviderError {
  const tail = log.trim().split('\n').slice(-4).join('\n    ');
  const fwd = /Could not set up host forwarding rule '([^']+)'/.exec(log);
  if (fwd) {
    return new ProviderError('KVM_PORT_IN_USE', `QEMU could not forward ${fwd[1]}: the port is in use on 127.0.0.1`, { hint: 'free the port or let the provider choose one (omit sshPort)' });
  }
  if (/Could not access KVM kernel module|failed to initialize kvm|KVM not supported/i.test(log)) {
    return new ProviderError('KVM_UNAVAILABLE', `QEMU could not use KVM: ${tail}`, { hint: 'load kvm_intel/kvm_amd, check /dev/kvm permissions, or use accel: tcg' });
  }
  if (/Cannot allocate memory|cannot set up guest memory/i.test(log)) {
    return new ProviderError('KVM_NO_MEMORY', `QEMU could not allocate guest memory: ${tail}`, { hint: 'lower memoryMiB or free memory/hugepages on the host' });
  }
  if (/could not (open|read)|No such file or directory|Permission denied/i.test(log)) {
    return new ProviderError('KVM_FILE', `QEMU could not open a file: ${tail}`, { hint: 'check the kernel, initrd and disk paths in the target' });
  }
  return new ProviderError('QEMU_START', `QEMU exited ${exitCode ?? '?'} at start:\n    ${tail || '(no output)'}\n    command: ${argv.join(' ')}`, { hint: `see ${logPath}` });
}

export async function readPidFile(pidFile: string, waitMs = 0): Promise<number | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 1) return pid;
    if (Date.now() >= deadline) return undefined;
    await sleep(50);
  }
}

/** True when `pid` is a live QEMU started with this pid file (not a recycled PID). */
export async function isOurQemu(pid: number | undefined, pidFile: string): Promise<boolean> {
  if (!pid) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline) return false;
  const args = cmdline.split('\0');
  const i = args.indexOf('-pidfile');
  return i >= 0 && args[i + 1] === pidFile;
}

export async function waitForExit(pid: number, pidFile: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await isOurQemu(pid, pidFile))) return true;
    await sleep(100);
  }
  return !(await isOurQemu(pid, pidFile));
}

/** SIGKILL by PID (only if it is still our QEMU) and wait until it is gone. */
export async function killQemu(pid: number, pidFile: string): Promise<void> {
  if (!(await isOurQemu(pid, pidFile))) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
  if (!(await waitForExit(pid, pidFile, 10_000))) {
    throw new ProviderError('QEMU_KILL', `QEMU PID ${pid} did not exit after SIGKILL`, { hint: `check the process (ps -p ${pid}); it may be stuck in the kernel` });
  }
}
