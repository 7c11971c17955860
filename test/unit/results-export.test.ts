import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/results/csv-read.js';
import { CSV_COLUMNS, exportCsv } from '../../src/results/export-csv.js';
import { exportJson, importJson } from '../../src/results/export-json.js';
import { loadResultSets } from '../../src/results/load.js';
import type { ResultSet } from '../../src/results/model.js';

const FIX = 'test/fixtures/unixbench';

async function sets(): Promise<ResultSet[]> {
  return [...(await loadResultSets(FIX)), ...(await loadResultSets('results/reference/2011'))];
}

describe('CSV export', () => {
  it('one row per (result, pass, test) and per Index Score, and the numbers read back unchanged', async () => {
    const all = await sets();
    const csv = exportCsv(all);
    const [header, ...rows] = parseCsv(csv, 'export.csv');
    expect(header).toEqual([...CSV_COLUMNS]);
    const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
    const get = (result: string, copies: string, test: string): string[] =>
      rows.filter((r) => r[col('result_id')] === result && r[col('copies')] === copies && r[col('test')] === test)[0]!;

    // runA: 8 tests + 1 score; runB: 2 x (12 + 1); runC: empty pass, no rows; runD: 2 x 13; 2011: 4 x 13.
    expect(rows).toHaveLength(9 + 26 + 0 + 26 + 52);

    const dhry = get('runB_i1_c1_c2_index-r1', '2', 'Dhrystone 2 using register variables');
    expect(dhry[col('value')]).toBe('29153166.5');
    expect(dhry[col('unit')]).toBe('lps');
    expect(dhry[col('baseline')]).toBe('116700');
    expect(dhry[col('index')]).toBe('2498.1');
    expect(dhry[col('method')]).toBe('host');
    expect(dhry[col('emulated')]).toBe('false');

    const score = get('runB_i1_c1_c2_index-r1', '1', 'System Benchmarks Index Score');
    expect(score[col('index')]).toBe('1096.3');
    expect(score[col('partial')]).toBe('false');
    expect(get('runA_i1_c1_subset-r1', '1', 'System Benchmarks Index Score')[col('partial')]).toBe('true');

    const kvm = get('kvm-r1', '8', 'Double-Precision Whetstone');
    expect(kvm[col('index')]).toBe('3639');
    expect(kvm[col('value')]).toBe('');
    expect(kvm[col('published')]).toBe('true');
    expect(kvm[col('label')]).toBe('KVM (guest)');

    // Every index number in the CSV equals the one in the results it came from.
    for (const set of all) {
      for (const r of set.results) {
        for (const p of r.unixbench!.passes) {
          for (const row of p.index?.rows ?? []) {
            expect(Number(get(r.id, String(p.copies), row.name)[col('index')])).toBe(row.index);
          }
        }
      }
    }
  });

  it('quotes hostile text so it stays one field', async () => {
    const [set] = await loadResultSets(`${FIX}/runA_i1_c1_subset`);
    const r = structuredClone(set!.results[0]!);
    r.target.label = 'evil, "quoted"\nlabel';
    const rows = parseCsv(exportCsv([{ ...set!, results: [r] }]), 'x.csv');
    expect(rows[1]![CSV_COLUMNS.indexOf('label')]).toBe('evil, "quoted"\nlabel');
    expect(rows.every((row) => row.length === CSV_COLUMNS.length)).toBe(true);
  });
});

describe('JSON export', () => {
  it('round-trips every result exactly, validated against the schema', async () => {
    const all = await sets();
    const text = exportJson(all, new Date('2026-11-27T00:00:00Z'));
    const back = importJson(text, 'export.json');
    expect(back).toEqual(all);
    expect(JSON.parse(exportJson(back, new Date('2026-11-27T00:00:00Z')))).toEqual(JSON.parse(text));
  });

  it('refuses a file that is not an export, and a result with an unknown schema version', () => {
    expect(() => importJson('{"sets": []}', 'x.json')).toThrow(/not a virtbench results export/);
    expect(() => importJson('{', 'x.json')).toThrow(/not valid JSON/);
    const bad = JSON.stringify({ format: 'virtbench-results', exportedAt: '', sets: [{ name: 's', source: 's', results: [{ schemaVersion: 9 }] }] });
    expect(() => importJson(bad, 'x.json')).toThrow(/unknown result schemaVersion 9/);
  });

  it('an exported file is an input like a run directory: report, compare and history load it through loadResultSets', async () => {
    const all = await sets();
    const dir = await mkdtemp(join(tmpdir(), 'vb-export-'));
    try {
      const file = join(dir, 'all.json');
      await writeFile(file, exportJson(all));
      expect(await loadResultSets(file)).toEqual(all);
      await writeFile(join(dir, 'other.json'), '{"format": "something-else", "sets": []}');
      await expect(loadResultSets(join(dir, 'other.json'))).rejects.toThrow(/not a virtbench results export/);
      await writeFile(join(dir, 'notes.txt'), 'hello');
      await expect(loadResultSets(join(dir, 'notes.txt'))).rejects.toThrow(/is not a run directory/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
