/**
 * One SSH connection: key auth, host-key pinning, keepalives, optional jump host, and retries
 * with exponential backoff until a deadline (a guest that is still booting refuses or resets
 * connections for a while). Authentication and host-key errors are not retried: they will not
 * get better by waiting.
 */
import { readFile } from 'node:fs/promises';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { InterruptedError, RemoteError, VirtbenchError } from '../core/errors.js';
import type { SshEndpoint } from '../core/guest.js';
import { judgeHostKey, type HostKeyDecision } from './host-key.js';

export interface ConnectOptions {
  /** Keep trying until this many ms have passed (default 60 s). */
  deadlineMs?: number;
  /** Handshake timeout per attempt (default 20 s). */
  readyTimeoutMs?: number;
  /** Keepalive interval; a connection is dropped after keepaliveCountMax unanswered (default 5 s x 3). */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** First backoff delay (default 250 ms, doubling, capped at 5 s). */
  initialBackoffMs?: number;
  /** Also retry authentication failures (a guest whose key is installed after sshd starts). */
  retryAuthFailures?: boolean;
  signal?: AbortSignal;
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
}

export interface Connection {
  client: Client;
  /** Host-key decisions, this endpoint first, then its jump hosts. */
  decisions: HostKeyDecision[];
  /** Close this connection and its jump hosts. */
  end(): void;
}

export function endpointName(e: SshEndpoint): string {
  return `${e.user}@${e.host}:${e.port}`;
}

const RETRYABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|EAI_AGAIN|Timed out while waiting for handshake|Connection lost before handshake|Not connected|socket hang up|banner|kex_exchange|Channel open failure|open failed/i;

function isRetryable(e: Error, retryAuth: boolean): boolean {
  if (e instanceof RemoteError) return e.code === 'SSH_AUTH_FAILED' ? retryAuth : e.code === 'SSH_CONNECT_FAILED';
  return RETRYABLE.test(e.message) || RETRYABLE.test(String((e as { code?: string }).code ?? ''));
}

/** One attempt, no retry. `sock` is a forwarded channel when going through a jump host. */
async function connectOnce(endpoint: SshEndpoint, opts: ConnectOptions, sock?: ClientChannel): Promise<{ client: Client; decision: HostKeyDecision }> {
  let privateKey: Buffer;
  try {
    privateKey = await readFile(endpoint.privateKeyPath);
  } catch (e) {
    throw new RemoteError('SSH_KEY_UNREADABLE', `cannot read the private key ${endpoint.privateKeyPath}: ${(e as Error).message}`, {
      hint: 'check the path in the suite (ssh.privateKeyPath) or let the run create its own key',
      cause: e,
    });
  }
  const name = endpointName(endpoint);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let decision: HostKeyDecision | undefined;
    let keyError: RemoteError | undefined;
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      client.destroy?.();
      reject(e);
    };
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('error');
      client.on('error', () => {}); // later errors surface as 'close' on the session
      resolve({ client, decision: decision! });
    });
    // on, not once: ssh2 can emit a second error (e.g. "Connection lost before handshake" from a
    // host going down for a reboot) after the first failed the attempt; unheard, it would crash the process.
    client.on('error', (err: Error & { level?: string }) => {
      if (keyError) return fail(keyError);
      if (err.level === 'client-authentication') {
        return fail(new RemoteError('SSH_AUTH_FAILED', `authentication as ${endpoint.user} on ${name} failed with key ${endpoint.privateKeyPath}`, {
          hint: `install the run's public key (${endpoint.privateKeyPath}.pub) in ~${endpoint.user}/.ssh/authorized_keys on the target`,
          cause: err,
        }));
      }
      fail(err);
    });
    client.once('close', () => fail(keyError ?? new Error(`Connection lost before handshake with ${name}`)));
    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      privateKey,
      readyTimeout: opts.readyTimeoutMs ?? 20_000,
      keepaliveInterval: opts.keepaliveIntervalMs ?? 5_000,
      keepaliveCountMax: opts.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        const verdict = judgeHostKey({ endpoint: name, pinned: endpoint.hostKey, trustOnFirstUse: endpoint.trustOnFirstUse }, key);
        if (verdict instanceof RemoteError) {
          keyError = verdict;
          return false;
        }
        decision = verdict;
        return true;
      },
    };
    if (sock) config.sock = sock;
    client.connect(config);
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new InterruptedError('connecting was cancelled'));
    }, { once: true });
  });

async function forward(jump: Client, to: SshEndpoint): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, to.host, to.port, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** Connect, retrying with backoff until the deadline. Pins each jump host's key as well. */
export async function connectWithRetry(endpoint: SshEndpoint, opts: ConnectOptions = {}): Promise<Connection> {
  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  let delay = opts.initialBackoffMs ?? 250;
  let attempt = 0;
  let lastError: Error | undefined;
  while (true) {
    if (opts.signal?.aborted) throw new InterruptedError('connecting was cancelled');
    attempt++;
    let jump: Connection | undefined;
    try {
      let sock: ClientChannel | undefined;
      if (endpoint.jump) {
        jump = await connectWithRetry(endpoint.jump, { ...opts, deadlineMs: Math.max(1, deadline - Date.now()) });
        sock = await forward(jump.client, endpoint);
      }
      const { client, decision } = await connectOnce(endpoint, opts, sock);
      const j = jump;
      return {
        client,
        decisions: [decision, ...(j?.decisions ?? [])],
        end() {
          client.end();
          // A peer that never answers the close (a host frozen or gone mid-reboot) must not keep the
          // socket, and with it this process, alive.
          setTimeout(() => client.destroy(), 5_000).unref();
          j?.end();
        },
      };
    } catch (e) {
      jump?.end();
      const err = e as Error;
      lastError = err;
      if (e instanceof VirtbenchError && !isRetryable(err, !!opts.retryAuthFailures)) throw e;
      if (!(e instanceof VirtbenchError) && !isRetryable(err, !!opts.retryAuthFailures)) {
        throw new RemoteError('SSH_CONNECT_FAILED', `cannot connect to ${endpointName(endpoint)}: ${err.message}`, { cause: err, hint: 'check the address, port and that sshd runs there' });
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      const wait = Math.min(delay, left);
      opts.onRetry?.(attempt, err, wait);
      await sleep(wait, opts.signal);
      delay = Math.min(delay * 2, 5_000);
    }
  }
  throw new RemoteError('SSH_CONNECT_TIMEOUT', `could not reach ${endpointName(endpoint)} within ${Math.round((opts.deadlineMs ?? 60_000) / 1000)} s after ${attempt} attempts: ${lastError?.message ?? 'unknown error'}`, {
    hint: 'the machine may still be booting or sshd is not running; check its console, address and port',
    cause: lastError,
  });
}
