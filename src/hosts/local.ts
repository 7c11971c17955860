/**
 * This machine as a CommandHost: commands run through execa with an argument array, never a shell
 * string.
 */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { atomicWriteFile } from '../core/fs.js';
import { VirtbenchError } from '../core/errors.js';
import type { CommandHost, CommandResult, RunOptions } from '../core/host.js';

/** A command that exited non-zero, with what it printed. */
export class CommandFailedError extends VirtbenchError {
  readonly argv: readonly string[];
  readonly result: CommandResult;
  constructor(host: string, argv: readonly string[], result: CommandResult, hint?: string) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n    ');
    super('COMMAND_FAILED', `on ${host}: \`${argv.join(' ')}\` exited ${result.exitCode}${tail ? `:\n    ${tail}` : ''}`, { hint });
    this.argv = argv;
    this.result = result;
  }
}

/** This machine: commands through execa with an argument array (no shell, ever). */
export class LocalHost implements CommandHost {
  readonly name = 'local';
  readonly isLocal = true;

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    const [file, ...args] = argv;
    if (!file) throw new Error('LocalHost.run: empty argv');
    const r = await execa(file, args, {
      reject: false,
      timeout: opts.timeoutMs,
      input: opts.input,
      env: opts.env,
      cwd: opts.cwd,
      cancelSignal: opts.signal,
      stdin: opts.inputStream ? (opts.inputStream as Readable) : opts.input === undefined ? 'ignore' : undefined,
      stripFinalNewline: false,
    });
    if (r.failed && r.exitCode === undefined) {
      const why = r.timedOut ? `timed out after ${opts.timeoutMs} ms` : r.isCanceled ? 'was cancelled' : (r.originalMessage ?? r.message);
      throw new VirtbenchError('COMMAND_FAILED', `on local: \`${argv.join(' ')}\` ${why}`, {
        hint: (r as { code?: string }).code === 'ENOENT' ? `install the program that provides '${file}' (try: virtbench doctor)` : undefined,
      });
    }
    const result: CommandResult = { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
    if (result.exitCode !== 0 && !opts.allowFailure) throw new CommandFailedError(this.name, argv, result);
    return result;
  }

  async writeFile(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
    await atomicWriteFile(path, data, mode);
  }

  async readFile(path: string): Promise<Buffer> {
    return readFile(path);
  }

  async close(): Promise<void> {}
}
