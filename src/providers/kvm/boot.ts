/**
 * One boot attempt: start QEMU daemonized, record its PID in the ownership record at once (so a
 * crash of the harness leaves something `guests destroy` can find), and watch it until sshd
 * answers. The caller cleans up on failure (stopGuest) and may retry under TCG.
 */
import { writeFile } from 'node:fs/promises';
import type { ProgressSink } from '../../core/progress.js';
import { recordOwned } from '../ownership.js';
import { sshBannerSeen, watchBoot } from './boot-watch.js';
import { qemuArgv, type QemuLaunch } from './command-line.js';
import type { KvmHandle } from './lifecycle.js';
import { startQemu } from './process.js';
import { QmpClient } from './qmp.js';

export interface BootAttempt {
  launch: QemuLaunch;
  handle: KvmHandle;
  runId: string;
  ssh: { host: string; port: number };
  deadlineMs: number;
  stallMs: number;
  progress: ProgressSink;
  signal?: AbortSignal;
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
  await Promise.all([writeFile(a.launch.consoleLog, ''), writeFile(a.launch.factsLog, '')]);
  a.progress({ subject: a.launch.name, step: 'provision', message: `starting QEMU (${a.launch.accel}, ${a.launch.cpus} vCPU, ${a.launch.memoryMiB} MiB)` });
  const pid = await startQemu(argv, a.launch.pidFile, a.handle.stderrLog);
  a.handle.pid = pid;
  await recordOwned({ kind: 'guest', method: 'kvm', key: a.handle.ownershipKey, runId: a.runId, name: a.launch.name, handle: a.handle });
  const qmp = await QmpClient.connect(a.launch.qmpSocket);
  try {
    const seconds = await watchBoot({
      subject: a.launch.name,
      qmp,
      pid,
      pidFile: a.launch.pidFile,
      consoleLog: a.launch.consoleLog,
      ready: () => sshBannerSeen(a.ssh.host, a.ssh.port),
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
