/**
 * virtbench's command line run from source the way a user runs it (node with the tsx loader), for
 * the integration tests: its own state folder, no stdin, never throws on a non-zero exit, and
 * stdout, stderr and both interleaved (`all`) kept for the assertions.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');
const LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliOptions {
  cwd: string;
  /** VIRTBENCH_STATE: where this virtbench keeps its ownership records and keys. */
  state: string;
  env?: Record<string, string>;
}

export function virtbench(args: readonly string[], o: CliOptions) {
  return execa('node', ['--import', LOADER, join(ROOT, 'src/cli.ts'), ...args], {
    cwd: o.cwd, reject: false, stdin: 'ignore', all: true, env: { VIRTBENCH_STATE: o.state, ...o.env },
  });
}
