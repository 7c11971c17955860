#!/usr/bin/env node
/**
 * The virtbench executable: every sub-command (cli/commands.ts), and errors printed with their
 * hint and an exit code (stack traces only with --debug).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isVirtbenchError, InputError } from './core/errors.js';
import { commands } from './cli/commands.js';

/** Exit codes: 0 ok, 1 a regression or a failed target, 2 bad input or a harness error, 130 interrupted. */
function report(err: unknown, debug: boolean): number {
  if (isVirtbenchError(err)) {
    process.stderr.write(`virtbench: ${err.describe()}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.code === 'INTERRUPTED' ? 130 : 2;
  }
  const errno = err as NodeJS.ErrnoException | undefined;
  if (errno && typeof errno.code === 'string' && /^E[A-Z]+$/.test(errno.code) && typeof errno.syscall === 'string') {
    // A file system refusal (EEXIST, EROFS, EISDIR, ENOSPC ...) is about the input, not a bug.
    process.stderr.write(`virtbench: ${errno.syscall} ${errno.path ?? ''}: ${errno.code}${debug && err instanceof Error ? `\n${err.stack}` : ''}\n  hint: check the path, its permissions and free space\n`);
    return 2;
  }
  process.stderr.write(`virtbench: internal error: ${err instanceof Error ? (debug ? err.stack : err.message) : String(err)}\n`);
  if (!debug) process.stderr.write('  hint: run again with --debug for the stack trace\n');
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let parser = yargs(argv)
    .scriptName('virtbench')
    .usage('$0 <command> [options]')
    .option('debug', { type: 'boolean', default: false, describe: 'print stack traces and debug progress' })
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw err ?? new InputError('USAGE', msg, { hint: 'see virtbench --help' });
    });
  for (const c of commands) parser = parser.command(c);
  try {
    await parser.parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err, debug);
  }
}

/** True when this file is the program (node dist/cli.js, a bin symlink, npx, tsx), not an import. */
function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
