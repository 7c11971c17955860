/** QEMU on this machine: files by node:fs, the process by execa and PID, QMP on the unix socket. */

import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { CommandHost } from '../../core/host.js';
import { freeLoopbackPort } from '../../hosts/ports.js';
import { readTail, sshBannerSeen } from './boot-watch.js';
import type { KvmMachine } from './machine.js';
import { isOurQemu, killQemu, readPidFile, startQemu, waitForExit } from './process.js';
import { QmpClient } from './qmp.js';

export class LocalKvmMachine implements KvmMachine {
  readonly pollMs = 250;
  constructor(readonly host: CommandHost) {}
  startQemu(argv: readonly string[], pidFile: string, stderrLog: string): Promise<number> {
    return startQemu(argv, pidFile, stderrLog);
  }
  readPid(pidFile: string, waitMs = 0): Promise<number | undefined> {
    return readPidFile(pidFile, waitMs);
  }
  isOurQemu(pid: number | undefined, pidFile: string): Promise<boolean> {
    return isOurQemu(pid, pidFile);
  }
  waitForExit(pid: number, pidFile: string, timeoutMs: number): Promise<boolean> {
    return waitForExit(pid, pidFile, timeoutMs);
  }
  kill(pid: number, pidFile: string): Promise<void> {
    return killQemu(pid, pidFile);
  }
  readText(path: string): Promise<string> {
    return readFile(path, 'utf8').catch(() => '');
  }
  readTail(path: string, bytes: number): Promise<string> {
    return readTail(path, bytes);
  }
  writeText(path: string, text: string, mode?: number): Promise<void> {
    return writeFile(path, text, mode === undefined ? undefined : { mode });
  }
  exists(path: string): Promise<boolean> {
    return stat(path).then(() => true, () => false);
  }
  async mkdir(path: string): Promise<void> {
    await mkdir(path, { recursive: true });
  }
  async remove(paths: string[]): Promise<void> {
    await Promise.all(paths.map((p) => rm(p, { force: true })));
  }
  qmp(socketPath: string, timeoutMs?: number): Promise<QmpClient> {
    return QmpClient.connect(socketPath, timeoutMs);
  }
  sshBanner(host: string, port: number): Promise<boolean> {
    return sshBannerSeen(host, port);
  }
  freePort(): Promise<number> {
    return freeLoopbackPort();
  }
}
