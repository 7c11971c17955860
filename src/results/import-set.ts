/**
 * Writes an imported result set (set.json with where it came from, one folder per result), never
 * over an existing one.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { InputError } from '../core/errors.js';
import { atomicWriteJson } from '../core/fs.js';
import { SET_FILE, type SetFile } from './load.js';
import type { ResultDoc, ResultSet } from './model.js';
import { exists, readJson, RESULT_FILE, writeResult } from './run-dir.js';

/** Where an imported set came from, as set.json records it. */
export interface ImportOrigin {
  tool: string;
  toolVersion?: string;
  format: string;
  file: string;
}

/**
 * Write an imported result set: set.json (with its origin), a copy of the input file, and one
 * folder per result. A result that exists and differs is refused, never overwritten silently.
 */
export async function writeImportedSet(set: ResultSet, origin: ImportOrigin, outDir: string, description: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const copy = join(outDir, basename(origin.file));
  if (resolve(origin.file) !== resolve(copy)) await copyFile(origin.file, copy);
  const file: SetFile = {
    schemaVersion: 1,
    name: set.name,
    description,
    order: set.results.map((r) => r.id),
    importedFrom: { ...origin, file: basename(origin.file) },
  };
  await atomicWriteJson(join(outDir, SET_FILE), file);
  return writeImportedResults(outDir, set.results, 'an imported set');
}

/**
 * Write an imported set's result documents. Re-importing the same data is a no-op; a document
 * that differs from what is already there is never overwritten silently. Returns the files written.
 */
export async function writeImportedResults(outDir: string, docs: readonly ResultDoc[], what: string): Promise<string[]> {
  const written: string[] = [];
  for (const doc of docs) {
    const existing = join(outDir, doc.id, RESULT_FILE);
    if (await exists(existing)) {
      if (isDeepStrictEqual(await readJson(existing), doc)) continue;
      throw new InputError('RESULT_EXISTS', `${existing} exists and differs from the imported ${doc.id}`, {
        hint: `${what} is never overwritten silently: remove the folder to re-import, or import into another --out`,
        location: { file: existing },
      });
    }
    written.push(await writeResult(outDir, doc));
  }
  return written;
}

/** A set name from a file name: letters, digits, ".", "_" and "-". */
export function setNameFrom(path: string, prefix: string): string {
  const base = basename(path).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return base.startsWith(`${prefix}-`) ? base : `${prefix}-${base || 'import'}`;
}
