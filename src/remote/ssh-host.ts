/**
 * A machine reached over SSH as a CommandHost, so providers can act on a remote host exactly
 * as on the local one (and OpenVZ always does). argv is quoted by the one quoting function.
 */
import type { SshEndpoint } from '../core/guest.js';
import type { CommandHost, CommandResult, RunOptions } from '../core/host.js';
import { CommandFailedError } from '../hosts/local.js';
import type { ConnectOptions } from './connect.js';
import { SshSession } from './session.js';

export class SshHost implements CommandHost {
  readonly isLocal = false;
  readonly name: string;

  constructor(readonly session: SshSession) {
    this.name = session.name;
  }

  /** The endpoint with the host key pinned after the first connection (trust on first use). */
  get ssh(): SshEndpoint {
    return { ...this.session.endpoint, trustOnFirstUse: false };
  }

  static async connect(endpoint: SshEndpoint, opts?: ConnectOptions): Promise<SshHost> {
    return new SshHost(await SshSession.open(endpoint, opts));
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    if (argv.length === 0) throw new Error('SshHost.run: empty argv');
    const r = await this.session.exec(argv, { timeoutMs: opts.timeoutMs, input: opts.input, inputStream: opts.inputStream, env: opts.env, cwd: opts.cwd, signal: opts.signal });
    const result: CommandResult = { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    if (r.exitCode !== 0 && !opts.allowFailure) {
      throw new CommandFailedError(this.name, argv, result, r.exitCode === 127 ? `'${argv[0]}' is not installed on ${this.name} (or not on its PATH)` : undefined);
    }
    return result;
  }

  writeFile(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
    return this.session.writeFile(path, data, mode);
  }

  readFile(path: string): Promise<Buffer> {
    return this.session.readFile(path);
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
