/**
 * One boot attempt: start QEMU daemonized, record its PID in the ownership record at once (so a
 * crash of the harness leaves something `guests destroy` can find), and watch it until sshd
 * answers. The caller cleans up on failure (stopGuest) and may retry under TCG.
 */
import type { ProgressSink } from '../../core/progress.js';
import { recordOwned } from '../ownership.js';
import { watchBoot } from './boot-watch.js';
import { qemuArgv, type QemuLaunch } from './command-line.js';
import type { KvmHandle } from './lifecycle.js';
import type { KvmMachine } from './machine.js';
import type { QmpClient } from './qmp.js';

export interface BootAttempt {
  launch: QemuLaunch;
  handle: KvmHandle;
  runId: string;
  ssh: { host: string; port: number };
  deadlineMs: number;
  stallMs: number;
  progress: ProgressSink;
  signal?: AbortSignal;
  /** Where QEMU runs; its ownership record lives on the same host. */
  machine: KvmMachine;
}

export interface Booted {
  argv: string[];
  pid: number;
  seconds: number;
  /** Still connected; the caller uses it (pinning, query-kvm) and closes it. */
  qmp: QmpClient;
}

export async function bootOnce(a: BootAttempt): Promise<Booted> {
  const argv = qemuArgv(a.launch);
  const m = a.machine;
  await Promise.all([m.writeText(a.launch.consoleLog, ''), m.writeText(a.launch.factsLog, '')]);
  a.progress({ subject: a.launch.name, step: 'provision', message: `starting QEMU (${a.launch.accel}, ${a.launch.cpus} vCPU, ${a.launch.memoryMiB} MiB)` });
  const pid = await m.startQemu(argv, a.launch.pidFile, a.handle.stderrLog);
  a.handle.pid = pid;
  await recordOwned({ kind: 'guest', method: 'kvm', key: a.handle.ownershipKey, runId: a.runId, name: a.launch.name, handle: a.handle }, m.host);
  const qmp = await m.qmp(a.launch.qmpSocket);
  try {
    const seconds = await watchBoot({
      subject: a.launch.name,
      qmp,
      pid,
      pidFile: a.launch.pidFile,
      consoleLog: a.launch.consoleLog,
      ready: () => m.sshBanner(a.ssh.host, a.ssh.port),
      machine: m,
      pollMs: m.pollMs,
      deadlineMs: a.deadlineMs,
      stallMs: a.stallMs,
      progress: a.progress,
      signal: a.signal,
    });
    return { argv, pid, seconds, qmp };
  } catch (e) {
    qmp.close();
    throw e;
  }
}
