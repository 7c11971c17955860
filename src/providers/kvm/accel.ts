/**
 * Does KVM really run a guest here? /dev/kvm existing proves nothing: on a software KVM
 * backend (PVM) QEMU starts, QMP says KVM is enabled, and a stock kernel dies with "KVM internal
 * error ... emulation failure" or crawls. So boot the image's kernel under KVM with a short
 * deadline and watch QMP status and the console until the kernel starts its init.
 * The verdict is cached per host kernel, QEMU version and guest kernel for the process.
 */
import { access, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderError, type VirtbenchError } from '../../core/errors.js';
import type { ProgressSink } from '../../core/progress.js';
import { BootFailure, consoleTail, watchBoot } from './boot-watch.js';
import { QEMU_BINARY } from './command-line.js';
import { isOurQemu, killQemu, readPidFile, startQemu } from './process.js';
import { qemuOptValue } from './command-line.js';
import { QmpClient } from './qmp.js';

export interface AccelVerdict {
  kvmWorks: boolean;
  /** Why not, or what proved it works. */
  reason: string;
  /** How long the probe ran. */
  seconds: number;
  hostKernel: string;
  qemuVersion: string;
  guestKernel: string;
  cpuModel: string;
  probedAt: string;
}

export interface ProbeOptions {
  kernel: string;
  initrd?: string;
  /** The target's CPU model ("host" as in 2011): some broken KVMs fail only with some models. */
  cpuModel?: string;
  deadlineMs?: number;
  progress?: ProgressSink;
  signal?: AbortSignal;
}

/** The console line that proves the kernel booted to userspace. */
const KERNEL_BOOTED = /Run \S+ as init process|Freeing unused kernel (image|memory)/;

const verdicts = new Map<string, Promise<AccelVerdict>>();

export async function hostKernelRelease(): Promise<string> {
  return (await readFile('/proc/sys/kernel/osrelease', 'utf8')).trim();
}

/** Cached probe: one real boot per (host kernel, QEMU binary version, guest kernel) per process. */
export async function kvmVerdict(qemuVersion: string, o: ProbeOptions): Promise<AccelVerdict> {
  const key = `${await hostKernelRelease()}|${qemuVersion}|${o.kernel}|${o.cpuModel ?? 'host'}`;
  let v = verdicts.get(key);
  if (!v) {
    v = probeKvm(qemuVersion, o);
    verdicts.set(key, v);
    v.catch(() => verdicts.delete(key)); // an interrupted probe is not a verdict
  }
  return v;
}

/** Forget cached verdicts (tests). */
export function forgetVerdicts(): void {
  verdicts.clear();
}

export async function probeKvm(qemuVersion: string, o: ProbeOptions): Promise<AccelVerdict> {
  const started = Date.now();
  const cpuModel = o.cpuModel ?? 'host';
  const base = { hostKernel: await hostKernelRelease(), qemuVersion, guestKernel: o.kernel, cpuModel, probedAt: new Date().toISOString() };
  const verdict = (kvmWorks: boolean, reason: string): AccelVerdict => ({ kvmWorks, reason, seconds: (Date.now() - started) / 1000, ...base });
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch (e) {
    return verdict(false, `/dev/kvm is not usable (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'vb-kvmprobe-'));
  const f = { qmp: join(dir, 'qmp.sock'), pid: join(dir, 'qemu.pid'), console: join(dir, 'console.log'), err: join(dir, 'qemu.err') };
  await writeFile(f.console, '');
  // No disk: the kernel and its initrd are enough to show the CPU runs the guest; rdinit=/bin/false ends it at once.
  const argv = [QEMU_BINARY, '-name', 'vb-kvmprobe', '-nodefaults', '-no-user-config', '-display', 'none', '-machine', 'pc', '-accel', 'kvm', '-cpu', cpuModel, '-smp', '1', '-m', '256',
    '-kernel', o.kernel, ...(o.initrd ? ['-initrd', o.initrd] : []), '-append', 'console=ttyS0,115200 panic=-1 rdinit=/bin/false',
    '-serial', `file:${f.console}`, '-qmp', `unix:${qemuOptValue(f.qmp)},server=on,wait=off`, '-pidfile', f.pid, '-daemonize', '-no-reboot'];
  let pid: number | undefined;
  let qmp: QmpClient | undefined;
  try {
    pid = await startQemu(argv, f.pid, f.err);
    qmp = await QmpClient.connect(f.qmp);
    const kvm = await qmp.queryKvm();
    if (!kvm.enabled) return verdict(false, `QEMU started but QMP query-kvm says enabled=${kvm.enabled} present=${kvm.present}`);
    await watchBoot({
      subject: 'kvm probe',
      qmp,
      pid,
      pidFile: f.pid,
      consoleLog: f.console,
      ready: async (text) => KERNEL_BOOTED.test(text),
      deadlineMs: o.deadlineMs ?? 30_000,
      stallMs: o.deadlineMs ?? 30_000,
      progress: o.progress ?? (() => {}),
      signal: o.signal,
      pollMs: 100,
    }).catch(async (e) => {
      // rdinit=/bin/false makes the kernel panic and QEMU exit (-no-reboot) right after init starts.
      if (e instanceof BootFailure && e.reason === 'exited' && KERNEL_BOOTED.test(await readFile(f.console, 'utf8').catch(() => ''))) return;
      throw e;
    });
    return verdict(true, `the guest kernel (-cpu ${cpuModel}) booted to init under KVM in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    if (e instanceof BootFailure) {
      const what = {
        'internal-error': 'the guest died with QMP status internal-error (KVM internal error, emulation failure)',
        stalled: 'the guest printed nothing for the whole probe (KVM crawls or hangs)',
        deadline: `the kernel did not reach init within ${((o.deadlineMs ?? 30_000) / 1000).toFixed(0)} s (KVM crawls)`,
        exited: 'QEMU exited before the kernel reached init',
        panicked: 'the guest kernel panicked',
        shutdown: 'the guest shut down before reaching init',
      }[e.reason];
      const tail = consoleTail(await readFile(f.console, 'utf8').catch(() => ''), 2).replace(/\n/g, ' | ');
      return verdict(false, `KVM does not boot a stock kernel here: ${what}${tail ? ` (console: ${tail})` : ''}`);
    }
    if (e instanceof ProviderError && ['KVM_UNAVAILABLE', 'QEMU_START'].includes((e as VirtbenchError).code)) {
      const why = (await readFile(f.err, 'utf8').catch(() => '')).trim().split('\n').filter((l) => !/warning: host doesn't support/.test(l)).slice(-2).join(' | ');
      return verdict(false, `KVM does not start a guest here: QEMU -accel kvm -cpu ${cpuModel} failed at start (${why || e.message})`);
    }
    throw e;
  } finally {
    qmp?.close();
    if (pid && (await isOurQemu(pid, f.pid))) await killQemu(pid, f.pid);
    else if (!pid) {
      const late = await readPidFile(f.pid);
      if (late) await killQemu(late, f.pid);
    }
    await rm(dir, { recursive: true, force: true });
  }
}
