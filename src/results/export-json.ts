/**
 * All results of some sets in one JSON document, and back: every result in it is validated
 * against the result schema (and its version) when read.
 */
import { InputError } from '../core/errors.js';
import type { ResultSet } from './model.js';
import { parseResultDoc } from './schema.js';

export const EXPORT_FORMAT = 'virtbench-results' as const;

export interface ResultsExport {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  sets: ResultSet[];
}

export function exportJson(sets: ResultSet[], now = new Date()): string {
  const doc: ResultsExport = { format: EXPORT_FORMAT, exportedAt: now.toISOString(), sets };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function importJson(text: string, file: string): ResultSet[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError('EXPORT_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, { location: { file }, cause: e });
  }
  const v = value as Partial<ResultsExport> | null;
  if (!v || v.format !== EXPORT_FORMAT || !Array.isArray(v.sets)) {
    throw new InputError('EXPORT_INVALID', `${file} is not a virtbench results export (format "${EXPORT_FORMAT}")`, { location: { file, field: 'format' } });
  }
  return v.sets.map((s, i) => {
    if (!s || typeof s.name !== 'string' || !Array.isArray(s.results)) {
      throw new InputError('EXPORT_INVALID', `set ${i} has no name or results`, { location: { file, field: `sets.${i}` } });
    }
    return { source: String(s.source ?? file), name: s.name, results: s.results.map((r, j) => parseResultDoc(r, `${file} (sets.${i}.results.${j})`)) };
  });
}
