/**
 * An output folder that appears whole or not at all: everything is written into a staging folder
 * beside it, which is then renamed into place. A folder that was there before is replaced only when
 * it is empty or an earlier output of the same kind (it holds the marker file); its files never mix
 * with the new ones. Of two writers racing for one folder, one wins and the other gets a clear
 * error; a writer killed midway leaves only its hidden staging folder beside the target.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './errors.js';

export const OUTPUT_MARKER = '.virtbench-output';

/** mkdir -p that fails instead of looping where a directory cannot be made (Node's recursive mkdir spins on /proc). */
export async function makeParents(dir: string): Promise<void> {
  const abs = resolve(dir);
  const missing: string[] = [];
  for (let d = abs; ; d = dirname(d)) {
    const st = await stat(d).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (st) {
      if (!st.isDirectory()) throw new InputError('OUTPUT_NOT_A_FOLDER', `${d} is not a folder`, { hint: 'choose an output path under a folder', location: { file: d } });
      break;
    }
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) await mkdir(d).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
}

function outputError(target: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return new InputError('OUTPUT_UNWRITABLE', `cannot write ${target}: ${code || (e as Error).message}`, {
    hint: code === 'EROFS' ? 'the file system is read-only: choose another --out' : code === 'ENOSPC' ? 'the disk is full: free space or choose another --out' : 'choose a folder you can write to for --out',
    location: { file: target },
    cause: e,
  });
}

export interface Staging {
  dir: string;
  /** Rename the staging folder into place (replacing an earlier output there). */
  publish(): Promise<void>;
  /** Remove the staging folder (after a failure). */
  discard(): Promise<void>;
}

export async function stageOutput(targetArg: string, kind: string, knownNames: readonly string[] = []): Promise<Staging> {
  const target = resolve(targetArg);
  const parent = dirname(target);
  const name = basename(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const dir = join(parent, `.${name}.tmp-${tag}`);
  try {
    await makeParents(parent);
    await mkdir(dir);
    await writeFile(join(dir, OUTPUT_MARKER), `${kind}\n`);
  } catch (e) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    if (e instanceof InputError) throw e;
    throw outputError(target, e);
  }
  await checkReplaceable(target, kind, knownNames);
  const discard = () => rm(dir, { recursive: true, force: true }).catch(() => undefined);
  return {
    dir,
    discard,
    publish: async () => {
      await checkReplaceable(target, kind, knownNames);
      const old = join(parent, `.${name}.old-${tag}`);
      const moved = await rename(target, old).then(() => true, (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? false : Promise.reject(outputError(target, e))));
      try {
        await rename(dir, target);
      } catch (e) {
        await discard();
        if (moved) await rename(old, target).catch(() => undefined);
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw new InputError('OUTPUT_BUSY', `another ${kind} was written to ${target} at the same time; this one was not kept`, { hint: 'write each report to its own --out, or run them one after the other', location: { file: target } });
        }
        throw outputError(target, e);
      }
      if (moved) await rm(old, { recursive: true, force: true });
    },
  };
}

/** An existing target may be replaced only when it is empty or an earlier output of this kind. */
async function checkReplaceable(target: string, kind: string, knownNames: readonly string[]): Promise<void> {
  const st = await stat(target).catch(() => undefined);
  if (!st) return;
  if (!st.isDirectory()) throw new InputError('OUTPUT_NOT_A_FOLDER', `${target} exists and is not a folder`, { hint: 'choose another --out', location: { file: target } });
  const names = await readdir(target).catch((e) => Promise.reject(outputError(target, e)));
  // An output written before the marker existed holds only the names this kind of output uses.
  if (names.length === 0 || names.includes(OUTPUT_MARKER) || names.every((n) => knownNames.includes(n))) return;
  throw new InputError('OUTPUT_NOT_OURS', `${target} exists and is not a ${kind} folder virtbench wrote; not replacing it`, {
    hint: 'choose a new or empty folder for --out (an earlier virtbench report there is replaced whole)',
    location: { file: target },
  });
}
