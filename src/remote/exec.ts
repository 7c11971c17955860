/**
 * Run one command on an open connection: streamed stdout/stderr, the exit code, a timeout.
 * The command line is built here from an argument vector with the one quoting function.
 */
import type { Client, ClientChannel } from 'ssh2';
import { RemoteError } from '../core/errors.js';
import { shellCommand, shellEnvPrefix, shellQuote } from './quote.js';

export interface ExecOptions {
  timeoutMs?: number;
  /** Sent on stdin, then EOF. Without it stdin is closed at once. */
  input?: string | Buffer;
  /** Piped to stdin instead of `input` (a tar stream); EOF when it ends. */
  inputStream?: NodeJS.ReadableStream;
  env?: Record<string, string>;
  cwd?: string;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Keep at most this many characters of each stream (the tail); default 16 MiB. */
  maxBuffer?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** -1 when the process died from a signal (see `signal`). */
  exitCode: number;
  signal?: string;
  durationMs: number;
}

/** The remote command line for argv (or a literal script run by `sh -c`). */
export function remoteCommandLine(command: readonly string[] | { script: string }, opts: Pick<ExecOptions, 'env' | 'cwd'> = {}): string {
  const body = Array.isArray(command) ? shellCommand(command as readonly string[]) : shellCommand(['sh', '-c', (command as { script: string }).script]);
  const cd = opts.cwd ? `cd ${shellQuote(opts.cwd)} && ` : '';
  return `${cd}${shellEnvPrefix(opts.env)}${body}`;
}

/**
 * Ask sshd to kill the command's process group. ssh2's Channel.signal() sends nothing once
 * stdin has been closed (it checks `writable`), and every exec closes stdin, so the request
 * is sent through the channel's protocol object directly (OpenSSH: killpg of the session).
 * OpenSSH refuses it for root logins ("session signalling requires privilege separation"),
 * so killRemote also kills the session's process group by PID over a second channel: every
 * command first reports its shell's PID (a session leader: sshd calls setsid) on stderr.
 */
const PID_MARK = '\u0001vbpid:';

function killRemote(client: Client, ch: ClientChannel | undefined, pid: number | undefined): void {
  signalChannel(ch);
  if (pid === undefined) return;
  try {
    client.exec(`kill -KILL -- -${pid} 2>/dev/null || kill -KILL ${pid} 2>/dev/null`, (err, kch) => {
      if (!err) {
        kch.on('data', () => {});
        kch.stderr.on('data', () => {});
        kch.end();
      }
    });
  } catch {
    /* not connected any more: nothing to send it on */
  }
}

function signalChannel(ch: ClientChannel | undefined): void {
  const c = ch as unknown as { outgoing?: { id: number; state: string }; _client?: { _protocol?: { signal(id: number, sig: string): void } } } | undefined;
  try {
    if (c?.outgoing && (c.outgoing.state === 'open' || c.outgoing.state === 'eof')) c._client?._protocol?.signal(c.outgoing.id, 'KILL');
  } catch {
    /* the connection is going away anyway */
  }
}

export class ConnectionLostError extends RemoteError {
  constructor(where: string, what: string) {
    super('SSH_CONNECTION_LOST', `the SSH connection to ${where} was lost while running \`${what}\``, {
      hint: 'the command may still be running on the target (or have been killed with the connection); reconnect and check',
    });
  }
}

export function execOnClient(client: Client, where: string, line: string, opts: ExecOptions = {}): Promise<ExecResult> {
  const start = Date.now();
  const max = opts.maxBuffer ?? 16 * 1024 * 1024;
  const shown = line.length > 200 ? line.slice(0, 200) + '…' : line;
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let exitCode: number | undefined;
    let signal: string | undefined;
    let settled = false;
    let channel: ClientChannel | undefined;
    let timer: NodeJS.Timeout | undefined;
    let remotePid: number | undefined;
    let stderrHead: string | undefined = ''; // until the PID line has been seen
    const onClientClose = () => finish(new ConnectionLostError(where, shown));
    const onAbort = () => {
      killRemote(client, channel, remotePid);
      finish(new RemoteError('SSH_EXEC_CANCELLED', `on ${where}: \`${shown}\` was cancelled`));
    };
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      client.removeListener('close', onClientClose);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        channel?.close();
        reject(err);
      } else resolve({ stdout, stderr, exitCode: exitCode ?? -1, signal, durationMs: Date.now() - start });
    };
    client.once('close', onClientClose);
    if (opts.signal) {
      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        killRemote(client, channel, remotePid);
        finish(new RemoteError('SSH_EXEC_TIMEOUT', `on ${where}: \`${shown}\` timed out after ${opts.timeoutMs} ms`, {
          hint: 'raise the timeout, or check whether the target is overloaded or the command waits for input',
        }));
      }, opts.timeoutMs);
    }
    try {
      client.exec(`printf '\\001vbpid:%s\\n' "$$" >&2; ${line}`, (err, ch) => {
        if (err) return finish(/Not connected|No response|closed/i.test(err.message) ? new ConnectionLostError(where, shown) : new RemoteError('SSH_EXEC_FAILED', `on ${where}: could not start \`${shown}\`: ${err.message}`, { cause: err }));
        channel = ch;
        if (settled) return void ch.close();
        ch.on('data', (d: Buffer) => {
          const s = d.toString('utf8');
          opts.onStdout?.(s);
          stdout += s;
          if (stdout.length > max) stdout = stdout.slice(-max);
        });
        ch.stderr.on('data', (d: Buffer) => {
          let s = d.toString('utf8');
          if (stderrHead !== undefined) {
            stderrHead += s;
            const nl = stderrHead.indexOf('\n');
            if (nl < 0 && stderrHead.length < 64) return;
            const m = stderrHead.startsWith(PID_MARK) && nl > 0 ? /^\d+$/.exec(stderrHead.slice(PID_MARK.length, nl)) : null;
            if (m) remotePid = Number(m[0]);
            s = m ? stderrHead.slice(nl + 1) : stderrHead;
            stderrHead = undefined;
            if (!s) return;
          }
          opts.onStderr?.(s);
          stderr += s;
          if (stderr.length > max) stderr = stderr.slice(-max);
        });
        ch.on('exit', (code: number | null, sig?: string) => {
          if (typeof code === 'number') exitCode = code;
          if (sig) signal = sig;
        });
        ch.on('close', () => {
          if (stderrHead) stderr += stderrHead; // output shorter than the PID line: keep it
          finish();
        });
        if (opts.inputStream) {
          opts.inputStream.on('error', (e: Error) => finish(new RemoteError('SSH_EXEC_INPUT', `on ${where}: the input of \`${shown}\` failed: ${e.message}`, { cause: e })));
          opts.inputStream.pipe(ch);
        } else if (opts.input !== undefined) ch.end(opts.input);
        else ch.end();
      });
    } catch (e) {
      finish(new ConnectionLostError(where, shown));
    }
  });
}
