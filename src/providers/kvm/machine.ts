/**
 * Where a KVM guest's QEMU runs and its files live: this machine (files by node:fs, QEMU by
 * execa, QMP on the unix socket) or a remote host (every file and process over its SSH
 * connection, QMP through OpenSSH's streamlocal forwarding; machine-remote.ts; machine-for.ts
 * picks one). The provider,
 * the boot watch and the stop path act only through this.
 */

import type { CommandHost } from '../../core/host.js';
import type { QmpClient } from './qmp.js';

export interface KvmMachine {
  readonly host: CommandHost;
  /** Start QEMU daemonized; resolves with the daemon's PID. */
  startQemu(argv: readonly string[], pidFile: string, stderrLog: string): Promise<number>;
  readPid(pidFile: string, waitMs?: number): Promise<number | undefined>;
  /** A live QEMU started with this pid file (not a recycled PID). */
  isOurQemu(pid: number | undefined, pidFile: string): Promise<boolean>;
  waitForExit(pid: number, pidFile: string, timeoutMs: number): Promise<boolean>;
  /** SIGKILL by PID, only while it is still our QEMU. */
  kill(pid: number, pidFile: string): Promise<void>;
  /** The file's text, '' when it does not exist. */
  readText(path: string): Promise<string>;
  /** The last `bytes` of a file, '' when it does not exist. */
  readTail(path: string, bytes: number): Promise<string>;
  writeText(path: string, text: string, mode?: number): Promise<void>;
  exists(path: string): Promise<boolean>;
  mkdir(path: string): Promise<void>;
  remove(paths: string[]): Promise<void>;
  qmp(socketPath: string, timeoutMs?: number): Promise<QmpClient>;
  /** An SSH banner on host:port as the machine itself sees it. */
  sshBanner(host: string, port: number): Promise<boolean>;
  /** A TCP port on the machine's loopback nothing listens on now. */
  freePort(): Promise<number>;
  /** How often to poll a booting guest (each poll costs round trips on a remote host). */
  readonly pollMs: number;
}
