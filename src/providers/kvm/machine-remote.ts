/**
 * A KVM guest's QEMU on a remote host, driven over that host's one SSH connection: QEMU started
 * there (its output into its log there), its PID read from its pid file there and checked
 * against /proc/<pid>/cmdline there before any signal, QMP through OpenSSH's streamlocal
 * forwarding to the socket there, and the guest's forwarded sshd checked from the host's own
 * loopback. Nothing is dialled from this machine but the host's sshd.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../../core/errors.js';
import { openRemoteUnixSocket, remoteSshBanner } from '../../remote/forward.js';
import type { SshHost } from '../../remote/ssh-host.js';
import type { KvmMachine } from './machine.js';
import { classifyStartFailure } from './process.js';
import { QmpClient } from './qmp.js';

export class RemoteKvmMachine implements KvmMachine {
  readonly pollMs = 1_000;
  constructor(readonly host: SshHost) {}

  async startQemu(argv: readonly string[], pidFile: string, stderrLog: string): Promise<number> {
    // The log redirection is done by sh with the paths as arguments, never spliced into the script.
    const r = await this.host.run(['sh', '-c', 'log="$1"; shift; exec "$@" >>"$log" 2>&1', 'sh', stderrLog, ...argv], { allowFailure: true, timeoutMs: 120_000 });
    if (r.exitCode === 127) throw new ProviderError('QEMU_MISSING', `${argv[0]} is not installed on ${this.host.name}`, { hint: 'apt-get install qemu-system-x86 on that host' });
    if (r.exitCode !== 0) throw classifyStartFailure(argv, r.exitCode, await this.readText(stderrLog), `${stderrLog} on ${this.host.name}`);
    const pid = await this.readPid(pidFile, 5_000);
    if (!pid) throw new ProviderError('QEMU_NO_PID', `QEMU started on ${this.host.name} but wrote no PID to ${pidFile}`, { hint: `see ${stderrLog} there` });
    return pid;
  }

  async readPid(pidFile: string, waitMs = 0): Promise<number | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const pid = Number((await this.readText(pidFile)).trim());
      if (Number.isInteger(pid) && pid > 1) return pid;
      if (Date.now() >= deadline) return undefined;
      await sleep(200);
    }
  }

  async isOurQemu(pid: number | undefined, pidFile: string): Promise<boolean> {
    if (!pid) return false;
    const r = await this.host.run(['cat', `/proc/${pid}/cmdline`], { allowFailure: true });
    if (r.exitCode !== 0 || !r.stdout) return false;
    const args = r.stdout.split('\0');
    const i = args.indexOf('-pidfile');
    return i >= 0 && args[i + 1] === pidFile;
  }

  async waitForExit(pid: number, pidFile: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!(await this.isOurQemu(pid, pidFile))) return true;
      await sleep(300);
    }
    return !(await this.isOurQemu(pid, pidFile));
  }

  async kill(pid: number, pidFile: string): Promise<void> {
    if (!(await this.isOurQemu(pid, pidFile))) return;
    await this.host.run(['kill', '-KILL', String(pid)], { allowFailure: true });
    if (!(await this.waitForExit(pid, pidFile, 10_000))) {
      throw new ProviderError('QEMU_KILL', `QEMU PID ${pid} on ${this.host.name} did not exit after SIGKILL`, { hint: `check the process there (ps -p ${pid})` });
    }
  }

  async readText(path: string): Promise<string> {
    const r = await this.host.run(['cat', path], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout : '';
  }

  async readTail(path: string, bytes: number): Promise<string> {
    const r = await this.host.run(['tail', '-c', String(bytes), path], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout : '';
  }

  async writeText(path: string, text: string, mode?: number): Promise<void> {
    await this.host.writeFile(path, text, mode);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.host.run(['test', '-e', path], { allowFailure: true })).exitCode === 0;
  }

  async mkdir(path: string): Promise<void> {
    await this.host.run(['mkdir', '-p', '-m', '700', path]);
  }

  async remove(paths: string[]): Promise<void> {
    if (paths.length) await this.host.run(['rm', '-f', '--', ...paths]);
  }

  qmp(socketPath: string, timeoutMs?: number): Promise<QmpClient> {
    return QmpClient.connect(socketPath, timeoutMs, (p) => openRemoteUnixSocket(this.host.session, p));
  }

  sshBanner(host: string, port: number): Promise<boolean> {
    return remoteSshBanner(this.host.session, host, port);
  }

  /** A random high port the host lists no listener on (QEMU's own bind fails loudly if one appears meanwhile). */
  async freePort(): Promise<number> {
    const r = await this.host.run(['ss', '-Htln'], { allowFailure: true });
    const used = new Set([...r.stdout.matchAll(/:(\d+)\s/g)].map((m) => Number(m[1])));
    for (;;) {
      const port = 20_000 + Math.floor(Math.random() * 40_000);
      if (!used.has(port)) return port;
    }
  }
}
