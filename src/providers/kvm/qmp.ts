/**
 * A small QMP client over QEMU's unix socket: one JSON object per line; commands carry an id
 * and are answered by {"return"} or {"error"}; asynchronous {"event"} objects are kept.
 * QEMU serves one QMP client per socket at a time, so callers close it when done.
 */
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../../core/errors.js';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export interface QmpStatus {
  status: string; // running, paused, internal-error, shutdown, guest-panicked, prelaunch, ...
  running: boolean;
}

export interface QmpKvm {
  enabled: boolean;
  present: boolean;
}

export interface QmpCpu {
  'cpu-index': number;
  'thread-id': number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class QmpClient {
  readonly events: QmpEvent[] = [];
  readonly version: string;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(private readonly socket: Duplex, private readonly path: string, greeting: Record<string, any>) {
    const v = greeting?.QMP?.version?.qemu;
    this.version = v ? `${v.major}.${v.minor}.${v.micro}` : 'unknown';
  }

  /** Connect (retrying while QEMU creates the socket), read the greeting, enter command mode. */
  static async connect(path: string, timeoutMs = 10_000, open: (path: string) => Promise<Duplex> = async (p) => connect(p)): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    let lastError: Error | undefined;
    while (Date.now() < deadline) {
      try {
        const client = await QmpClient.open(await open(path), path, Math.max(500, deadline - Date.now()));
        await client.execute('qmp_capabilities');
        return client;
      } catch (e) {
        lastError = e as Error;
        await sleep(100);
      }
    }
    throw new ProviderError('QMP_CONNECT', `could not talk QMP on ${path}: ${lastError?.message ?? 'timed out'}`, {
      hint: 'QEMU is not running or another client holds the QMP socket',
      cause: lastError,
    });
  }

  /** `socket`: a local unix socket, or a stream to the remote host's socket over SSH (remote/forward.ts). */
  private static open(socket: Duplex, path: string, timeoutMs: number): Promise<QmpClient> {
    return new Promise((resolve, reject) => {
      let buf = '';
      let client: QmpClient | undefined;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('no QMP greeting'));
      }, timeoutMs);
      socket.setEncoding('utf8');
      socket.once('error', (e) => {
        clearTimeout(timer);
        if (!client) reject(e);
      });
      socket.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (!line) continue;
          let msg: Record<string, any>;
          try {
            msg = JSON.parse(line);
          } catch {
            continue;
          }
          if (!client) {
            clearTimeout(timer);
            client = new QmpClient(socket, path, msg);
            resolve(client);
          } else client.dispatch(msg);
        }
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (!client) reject(new Error('socket closed before the greeting'));
        else client.failAll(new Error('QMP connection closed'));
      });
    });
  }

  private dispatch(msg: Record<string, any>): void {
    if (typeof msg.event === 'string') {
      this.events.push(msg as QmpEvent);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if ('error' in msg) p.reject(new ProviderError('QMP_ERROR', `QMP (${this.path}): ${msg.error?.class}: ${msg.error?.desc}`, { hint: 'see the QEMU documentation for this command' }));
    else p.resolve(msg.return);
  }

  private failAll(e: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    if (this.closed) return Promise.reject(new Error('QMP connection closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`QMP ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  queryStatus(): Promise<QmpStatus> {
    return this.execute<QmpStatus>('query-status');
  }

  queryKvm(): Promise<QmpKvm> {
    return this.execute<QmpKvm>('query-kvm');
  }

  queryCpus(): Promise<QmpCpu[]> {
    return this.execute<QmpCpu[]>('query-cpus-fast');
  }

  /** ACPI power button: a guest with acpid/systemd shuts down cleanly. */
  powerdown(): Promise<unknown> {
    return this.execute('system_powerdown');
  }

  /** Stop QEMU at once (the connection closes as QEMU exits). */
  async quit(): Promise<void> {
    await this.execute('quit', undefined, 5_000).catch(() => {});
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
