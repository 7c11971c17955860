/**
 * An SSH session with one machine that survives dropped connections: reconnects with backoff, pins
 * the host key first seen.
 */
import type { SFTPWrapper } from 'ssh2';
import type { SshEndpoint } from '../core/guest.js';
import { connectWithRetry, endpointName, type ConnectOptions, type Connection } from './connect.js';
import { ConnectionLostError, execOnClient, remoteCommandLine, type ExecOptions, type ExecResult } from './exec.js';
import type { HostKeyDecision } from './host-key.js';
import { downloadDir, downloadFile, openSftp, readRemoteFile, uploadDir, uploadFile, writeRemoteFile } from './sftp.js';

export interface SessionExecOptions extends ExecOptions {
  /** Safe to repeat: after a lost connection, reconnect and run it again (once). */
  retryOnDisconnect?: boolean;
}

/**
 * A session with one machine that survives dropped connections: every operation first makes
 * sure a connection is up (reconnecting with backoff until the deadline), and a command that was
 * running when the connection died fails with SSH_CONNECTION_LOST unless the caller says it is
 * safe to repeat. After trust on first use, reconnects pin the key that was first seen.
 */
export class SshSession {
  readonly endpoint: SshEndpoint;
  readonly name: string;
  private conn?: Connection;
  private connecting?: Promise<Connection>;
  private sftpHandle?: SFTPWrapper;
  private closed = false;
  /** Every host-key decision made (first connection and reconnects), to record in the result. */
  readonly hostKeyDecisions: HostKeyDecision[] = [];
  reconnects = 0;

  private constructor(endpoint: SshEndpoint, private readonly opts: ConnectOptions) {
    this.endpoint = { ...endpoint };
    this.name = endpointName(endpoint);
  }

  static async open(endpoint: SshEndpoint, opts: ConnectOptions = {}): Promise<SshSession> {
    const s = new SshSession(endpoint, opts);
    await s.connection();
    return s;
  }

  /** The key decision of the first connection to this endpoint. */
  get hostKeyDecision(): HostKeyDecision | undefined {
    return this.hostKeyDecisions[0];
  }

  get connected(): boolean {
    return !!this.conn;
  }

  async connection(): Promise<Connection> {
    if (this.closed) throw new ConnectionLostError(this.name, '(session closed)');
    if (this.conn) return this.conn;
    if (!this.connecting) {
      const first = this.hostKeyDecisions.length === 0;
      this.connecting = connectWithRetry(this.endpoint, this.opts)
        .then((c) => {
          this.conn = c;
          if (!first) this.reconnects++;
          this.hostKeyDecisions.push(...c.decisions);
          // Pin what was trusted on first use, so a reconnect cannot be redirected elsewhere.
          if (!this.endpoint.hostKey && c.decisions[0]) this.endpoint.hostKey = c.decisions[0].presented;
          c.client.once('close', () => {
            if (this.conn === c) {
              this.conn = undefined;
              this.sftpHandle = undefined;
            }
          });
          return c;
        })
        .finally(() => {
          this.connecting = undefined;
        });
    }
    return this.connecting;
  }

  /** Drop the current connection (the next operation reconnects). */
  dropConnection(): void {
    const c = this.conn;
    this.conn = undefined;
    this.sftpHandle = undefined;
    c?.end();
  }

  async exec(command: readonly string[] | { script: string }, opts: SessionExecOptions = {}): Promise<ExecResult> {
    const line = remoteCommandLine(command, opts);
    const c = await this.connection();
    try {
      return await execOnClient(c.client, this.name, line, opts);
    } catch (e) {
      if (e instanceof ConnectionLostError) {
        if (this.conn === c) this.dropConnection();
        if (opts.retryOnDisconnect) return execOnClient((await this.connection()).client, this.name, line, opts);
      }
      throw e;
    }
  }

  private async sftp(): Promise<SFTPWrapper> {
    const c = await this.connection();
    if (!this.sftpHandle) {
      const s = await openSftp(c.client);
      s.on('close', () => {
        if (this.sftpHandle === s) this.sftpHandle = undefined;
      });
      this.sftpHandle = s;
    }
    return this.sftpHandle;
  }

  /**
   * Run one SFTP operation; if the connection under it closes first, fail at once with
   * SSH_CONNECTION_LOST (ssh2 can leave a pending fastGet waiting forever on a dead channel).
   */
  private async onSftp<T>(what: string, op: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const sftp = await this.sftp();
    const c = this.conn;
    if (!c) throw new ConnectionLostError(this.name, what);
    let onClose: (() => void) | undefined;
    const lost = new Promise<never>((_, reject) => {
      onClose = () => reject(new ConnectionLostError(this.name, what));
      c.client.once('close', onClose);
    });
    try {
      return await Promise.race([op(sftp), lost]);
    } finally {
      if (onClose) c.client.removeListener('close', onClose);
    }
  }

  async upload(local: string, remote: string, mode?: number): Promise<void> {
    await this.onSftp(`upload ${remote}`, (s) => uploadFile(s, this.name, local, remote, mode));
  }
  async download(remote: string, local: string): Promise<void> {
    await this.onSftp(`download ${remote}`, (s) => downloadFile(s, this.name, remote, local));
  }
  async uploadDir(local: string, remote: string): Promise<number> {
    return this.onSftp(`upload ${remote}`, (s) => uploadDir(s, this.name, local, remote));
  }
  async downloadDir(remote: string, local: string): Promise<number> {
    return this.onSftp(`download ${remote}`, (s) => downloadDir(s, this.name, remote, local));
  }
  async writeFile(remote: string, data: string | Uint8Array, mode?: number): Promise<void> {
    await this.onSftp(`write ${remote}`, (s) => writeRemoteFile(s, this.name, remote, data, mode));
  }
  async readFile(remote: string): Promise<Buffer> {
    return this.onSftp(`read ${remote}`, (s) => readRemoteFile(s, this.name, remote));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dropConnection();
  }
}
