/**
 * A run directory, results/<run-id>/: run.json (the plan and its state, owned by the runner),
 * and one folder per result with result.json and the raw files beside it. Every write is
 * atomic; result.json is written last, so a folder with a result.json holds a complete result.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { atomicWriteFile, atomicWriteJson } from '../core/fs.js';
import { InputError } from '../core/errors.js';
import type { ResultDoc } from './model.js';
import { parseResultDoc, resultDocSchema, RESULT_ID } from './schema.js';

export const RUN_FILE = 'run.json';
export const RESULT_FILE = 'result.json';

export interface RunFile {
  schemaVersion: 1;
  runId: string;
  createdAt: string;
  [key: string]: unknown;
}

export interface RawFile {
  /** File name inside the result folder. */
  name: string;
  content: string | Uint8Array;
}

export function runDirPath(resultsRoot: string, runId: string): string {
  checkName(runId, 'run id');
  return join(resultsRoot, runId);
}

/**
 * run.json as JSON, the one place that reads the file: the runner validates it as its state
 * (runner/run-state.ts), readers of results check its header (readRunFile).
 */
export async function readRunJson(runDir: string): Promise<unknown> {
  const file = join(runDir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError('RUN_DIR_INVALID', `${runDir} has no readable run.json (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: 'give the run directory that `virtbench run` printed, e.g. results/<run-id>',
      location: { file },
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError('RUN_DIR_INVALID', `run.json is not valid JSON: ${(e as Error).message}`, { location: { file }, hint: 'the file was edited or truncated' });
  }
}

/** The header of run.json (run id, schema version), for readers of a run's results. */
export async function readRunFile(runDir: string): Promise<RunFile> {
  const path = join(runDir, RUN_FILE);
  const value = await readRunJson(runDir);
  if (typeof value !== 'object' || value === null || typeof (value as RunFile).runId !== 'string') {
    throw new InputError('RUN_INVALID', 'run.json has no runId', { location: { file: path, field: 'runId' } });
  }
  if ((value as RunFile).schemaVersion !== 1) {
    throw new InputError('RUN_SCHEMA_VERSION', `unknown run.json schemaVersion ${JSON.stringify((value as RunFile).schemaVersion)} (this virtbench reads 1)`, {
      hint: 'the run was written by another virtbench version: upgrade virtbench',
      location: { file: path, field: 'schemaVersion' },
    });
  }
  return value as RunFile;
}

/**
 * Write one result: its raw files first, then result.json. A result already there is never
 * replaced silently: without `replace` it is an error; with it the old result.json is kept as
 * result.replaced-<time>.json.
 */
export async function writeResult(runDir: string, doc: ResultDoc, raw: RawFile[] = [], opts: { replace?: boolean } = {}): Promise<string> {
  checkName(doc.id, 'result id');
  const dir = join(runDir, doc.id);
  const target = join(dir, RESULT_FILE);
  if (await exists(target)) {
    if (!opts.replace) {
      throw new InputError('RESULT_EXISTS', `result ${doc.id} already exists in ${runDir}`, {
        hint: 'a measured result is never overwritten; give the new one another id (repetition), or remove the old folder yourself',
        location: { file: target },
      });
    }
    // Keep the old one beside it first; the new one then replaces result.json in one rename.
    const stamp = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
    await atomicWriteFile(join(dir, `result.replaced-${stamp}.json`), await readFile(target));
  }
  const rawNames = new Set(doc.rawFiles);
  for (const f of raw) {
    checkName(f.name, 'raw file name');
    if (f.name === RESULT_FILE) throw new InputError('RESULT_INVALID', `a raw file may not be named ${RESULT_FILE}`, { location: { file: dir } });
    rawNames.add(f.name);
  }
  const full: ResultDoc = { ...doc, rawFiles: [...rawNames].sort() };
  const valid = resultDocSchema.safeParse(full);
  if (!valid.success) {
    const issue = valid.error.issues[0]!;
    throw new InputError('RESULT_INVALID', `refusing to write an invalid result ${doc.id}: ${issue.path.join('.')}: ${issue.message}`, {
      location: { file: target, field: issue.path.join('.') },
    });
  }
  for (const f of raw) await atomicWriteFile(join(dir, f.name), f.content);
  await atomicWriteJson(target, full);
  return dir;
}

/** Read result.json (given the file or its folder). */
export async function readResult(path: string): Promise<ResultDoc> {
  const file = basename(path) === RESULT_FILE ? path : join(path, RESULT_FILE);
  return parseResultDoc(await readJson(file), file);
}

/** Every complete result in a run directory or result set, sorted by id. */
export async function listResults(dir: string): Promise<ResultDoc[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: ResultDoc[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (await exists(join(dir, e.name, RESULT_FILE))) out.push(await readResult(join(dir, e.name)));
  }
  return out;
}

export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError('FILE_UNREADABLE', `cannot read ${path}: ${(e as Error).message}`, { location: { file: path }, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
    throw new InputError('RESULT_INVALID', `${path} is not valid JSON: ${(e as Error).message}`, { location: { file: path, line }, cause: e });
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function checkName(name: string, what: string): void {
  if (!RESULT_ID.test(name) || name.includes('..')) {
    throw new InputError('RESULT_INVALID', `invalid ${what} ${JSON.stringify(name)}`, {
      hint: 'use letters, digits, ".", "_" and "-" (no "/" and no ".."), starting with a letter or digit',
    });
  }
}
