/**
 * Loads what report, compare and history are given: a run directory, a result set, a result.json,
 * or folders of raw UnixBench output.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import type { ResultDoc, ResultSet } from './model.js';
import { importJson } from './export-json.js';
import { hasRawOutput, readRawFolder } from './raw-folder.js';
import { exists, listResults, readJson, readResult, readRunFile, RESULT_FILE, RUN_FILE } from './run-dir.js';

/** A published or imported result set (results/reference/2011/) carries this file instead of run.json. */
export const SET_FILE = 'set.json';

export interface SetFile {
  schemaVersion: 1;
  name: string;
  description?: string;
  /** Result ids in the order reports show them (the published table's column order). */
  order?: string[];
  [key: string]: unknown;
}

/**
 * Read what a user points at: a run directory (run.json), a result set (set.json, or folders
 * holding result.json), a single result.json, a folder of raw UnixBench output, or a folder
 * whose sub-folders are raw UnixBench output (one result per sub-folder), or a file that
 * `virtbench export --format json` wrote.
 */
export async function loadResultSets(input: string): Promise<ResultSet[]> {
  return (await loadRaw(input)).map(printableSet);
}

/** Labels and names are shown in terminals and reports: their control characters are neutralised once, here. */
function printableSet(set: ResultSet): ResultSet {
  return {
    ...set,
    name: printable(set.name),
    results: set.results.map((r) => ({ ...r, target: { ...r.target, name: printable(r.target.name), ...(r.target.label !== undefined ? { label: printable(r.target.label) } : {}) } })),
  };
}

async function loadRaw(input: string): Promise<ResultSet[]> {
  const path = resolve(input);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new InputError('INPUT_NOT_FOUND', `${input} does not exist`, {
      hint: 'give a run directory (results/<run-id>), a result set (results/reference/2011) or a folder of UnixBench output',
      location: { file: input },
    });
  }
  if (info.isFile()) {
    if (basename(path) === RESULT_FILE) return [{ source: input, name: basename(resolve(path, '..')), results: [await readResult(path)] }];
    if (path.endsWith('.json')) return importJson(await readFile(path, 'utf8'), input);
    throw notResults(input);
  }

  if (await exists(join(path, RUN_FILE))) {
    const run = await readRunFile(path);
    return [{ source: input, name: run.runId, results: await listResults(path) }];
  }
  if (await exists(join(path, SET_FILE))) {
    const set = await readSetFile(path);
    return [{ source: input, name: set.name, results: inOrder(await listResults(path), set.order) }];
  }
  if (await hasRawOutput(path)) {
    return [{ source: input, name: basename(path), results: await readRawFolder(path) }];
  }

  const subdirs = (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const stored = await listResults(path);
  if (stored.length > 0) return [{ source: input, name: basename(path), results: stored }];

  // A folder of raw-output folders (the shipped fixtures): one result per sub-folder.
  const results: ResultDoc[] = [];
  for (const d of subdirs) {
    if (await hasRawOutput(join(path, d))) results.push(...(await readRawFolder(join(path, d), { runId: basename(path) })));
  }
  if (results.length > 0) return [{ source: input, name: basename(path), results }];
  throw notResults(input);
}

/** Every input in order; one failing input fails the whole load (nothing is silently left out). */
export async function loadAll(inputs: string[]): Promise<ResultSet[]> {
  const sets: ResultSet[] = [];
  for (const i of inputs) sets.push(...(await loadResultSets(i)));
  return sets;
}

export async function readSetFile(dir: string): Promise<SetFile> {
  const path = join(dir, SET_FILE);
  const v = (await readJson(path)) as Partial<SetFile> | null;
  if (!v || typeof v !== 'object' || typeof v.name !== 'string') {
    throw new InputError('SET_INVALID', `${SET_FILE} has no name`, { location: { file: path, field: 'name' } });
  }
  if (v.schemaVersion !== 1) {
    throw new InputError('SET_SCHEMA_VERSION', `unknown ${SET_FILE} schemaVersion ${JSON.stringify(v.schemaVersion)} (this virtbench reads 1)`, {
      hint: 'upgrade virtbench',
      location: { file: path, field: 'schemaVersion' },
    });
  }
  return v as SetFile;
}

function inOrder(results: ResultDoc[], order: string[] | undefined): ResultDoc[] {
  if (!order) return results;
  const rank = (r: ResultDoc): number => {
    const i = order.indexOf(r.id);
    return i < 0 ? order.length : i;
  };
  return [...results].sort((a, b) => rank(a) - rank(b));
}

function notResults(input: string): InputError {
  return new InputError('NOT_RESULTS', `${input} is not a run directory, a result set or a folder of UnixBench output`, {
    hint: 'expected run.json, set.json, sub-folders with result.json, UnixBench files named HOST-YYYY-MM-DD-NN (+ .log), or a .json file of virtbench export',
    location: { file: input },
  });
}
