/**
 * Stopping a guest and releasing everything it held. Works from the JSON handle alone, so
 * `virtbench guests destroy` can clean up after a crashed run.
 */
import { posix } from 'node:path';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { ProgressSink } from '../../core/progress.js';
import { ProviderError } from '../../core/errors.js';
import { forgetOwned } from '../ownership.js';
import { removeTap } from './network.js';
import { kvmMachineFor } from './machine-for.js';
import type { KvmMachine } from './machine.js';
import { KVM_MARKER, proveKvmHandle } from './ownership-proof.js';
import type { QmpClient, QmpCpu } from './qmp.js';

export interface KvmHandle {
  [key: string]: unknown;
  name: string;
  ownershipKey: string;
  workDir: string;
  pid?: number;
  pidFile: string;
  qmpSocket: string;
  overlay: string;
  seed?: string;
  consoleLog: string;
  factsLog: string;
  stderrLog: string;
  sshPort?: number;
  tap?: string;
}

export type StopMethod = 'acpi' | 'quit' | 'kill' | 'not-running';

export interface StopResult {
  method: StopMethod;
  seconds: number;
}

export function stopCommands(hostName: string, h: Pick<KvmHandle, 'qmpSocket' | 'pidFile' | 'overlay' | 'seed' | 'tap'>): PlannedCommand[] {
  return [
    { host: hostName, argv: ['qmp', h.qmpSocket, 'system_powerdown'], purpose: 'ACPI power button through QMP (not a shell command)' },
    { host: hostName, argv: ['kill', '-KILL', `$(cat ${h.pidFile})`], purpose: 'only if the guest has not powered off by the timeout (by PID, checked against the pid-file argument)' },
    ...(h.tap ? [{ host: hostName, argv: ['ip', 'link', 'del', 'dev', h.tap], purpose: 'remove the tap device' }] : []),
    { host: hostName, argv: ['rm', '-f', h.overlay, ...(h.seed ? [h.seed] : []), h.qmpSocket, h.pidFile], purpose: 'remove overlay, seed disk, QMP socket and pid file' },
  ];
}

/** Power the guest down through ACPI, force it after `powerdownMs`, then remove its files and record. */
export async function stopGuest(host: CommandHost, raw: KvmHandle, o: { powerdownMs: number; progress: ProgressSink; keepWorkDir?: boolean }): Promise<StopResult> {
  const started = Date.now();
  const m = kvmMachineFor(host);
  const proof = await proveKvmHandle(m, raw);
  const h = proof.handle as KvmHandle;
  if (!proof.filesOurs && !proof.nothingOnDisk) {
    throw new ProviderError('KVM_NOT_OURS', `${h.workDir} has no virtbench marker for ${h.ownershipKey}: not stopping or removing anything of ${h.name}`, {
      hint: 'the run.json or ownership record names a folder virtbench did not make for this guest: check it by hand',
    });
  }
  const pid = proof.filesOurs ? (h.pid ?? (await m.readPid(h.pidFile))) : h.pid;
  let method: StopMethod = 'not-running';
  if (pid && (await m.isOurQemu(pid, h.pidFile))) {
    method = await shutDown(m, pid, h, o);
  }
  // A tap is a tun device named for this run and guest (checked in proveKvmHandle).
  if (h.tap && (await host.run(['test', '-e', `/sys/class/net/${h.tap}/tun_flags`], { allowFailure: true })).exitCode === 0) await removeTap(host, h.tap);
  if (proof.filesOurs) {
    await m.remove([h.overlay, h.seed, h.qmpSocket, h.pidFile].filter((p): p is string => !!p));
    // On a remote host the work folder is the guest's own (logs and all): nothing of it stays there.
    if (!host.isLocal && !o.keepWorkDir) await m.remove([h.consoleLog, h.factsLog, h.stderrLog, posix.join(h.workDir, KVM_MARKER)]).then(() => host.run(['rmdir', h.workDir], { allowFailure: true }));
  }
  await forgetOwned(h.ownershipKey, host);
  const seconds = (Date.now() - started) / 1000;
  o.progress({ subject: h.name, step: 'destroy', message: method === 'not-running' ? 'QEMU was not running; files removed' : `stopped (${method}) in ${seconds.toFixed(1)} s; files removed` });
  return { method, seconds };
}

async function shutDown(m: KvmMachine, pid: number, h: KvmHandle, o: { powerdownMs: number; progress: ProgressSink }): Promise<StopMethod> {
  const qmp = await m.qmp(h.qmpSocket, 3_000).catch(() => undefined);
  try {
    if (qmp) {
      const status = await qmp.queryStatus().catch(() => undefined);
      // A guest that is not running (internal-error, paused) cannot react to the power button.
      if (status?.running && o.powerdownMs > 0) {
        await qmp.powerdown().catch(() => {});
        if (await m.waitForExit(pid, h.pidFile, o.powerdownMs)) return 'acpi';
        o.progress({ subject: h.name, step: 'destroy', message: `no ACPI shutdown within ${(o.powerdownMs / 1000).toFixed(0)} s; stopping QEMU`, level: 'warn' });
      }
      await qmp.quit();
      if (await m.waitForExit(pid, h.pidFile, 5_000)) return 'quit';
    }
  } finally {
    qmp?.close();
  }
  await m.kill(pid, h.pidFile);
  return 'kill';
}

/** Pin vCPU i to hostCpus[i % n] (QMP gives each vCPU's thread id); returns what was done. */
export async function pinVcpus(host: CommandHost, qmp: QmpClient, hostCpus: number[]): Promise<{ vcpu: number; thread: number; hostCpu: number }[]> {
  const cpus: QmpCpu[] = await qmp.queryCpus();
  const out: { vcpu: number; thread: number; hostCpu: number }[] = [];
  for (const c of cpus) {
    const hostCpu = hostCpus[c['cpu-index'] % hostCpus.length]!;
    await host.run(['taskset', '-p', '-c', String(hostCpu), String(c['thread-id'])]);
    out.push({ vcpu: c['cpu-index'], thread: c['thread-id'], hostCpu });
  }
  return out;
}
