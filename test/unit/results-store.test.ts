import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { loadResultSets } from '../../src/results/load.js';
import type { ResultDoc } from '../../src/results/model.js';
import { listResults, readResult, readRunFile, writeResult } from '../../src/results/run-dir.js';
import { createRunDir } from '../support/run-dir.js';
import { parseResultDoc } from '../../src/results/schema.js';

const FIX = 'test/fixtures/unixbench';
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'h1-results-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fixtureResult(): Promise<ResultDoc> {
  const [set] = await loadResultSets(join(FIX, 'runB_i1_c1_c2_index'));
  return set!.results[0]!;
}

describe('loading raw UnixBench output', () => {
  it('a folder with a 1-copy and a 2-copy pass gives one host result with both passes', async () => {
    const sets = await loadResultSets(join(FIX, 'runB_i1_c1_c2_index'));
    expect(sets).toHaveLength(1);
    expect(sets[0]!.name).toBe('runB_i1_c1_c2_index');
    const [r] = sets[0]!.results;
    expect(sets[0]!.results).toHaveLength(1);
    expect(r!.target).toEqual({ name: 'runB_i1_c1_c2_index', method: 'host', host: 'vm' });
    expect(r!.unixbench!.passes.map((p) => [p.copies, p.index!.score])).toEqual([[1, 1096.3], [2, 1810.2]]);
    expect(r!.rawFiles).toEqual(['console.stdout.txt', 'vm-2026-11-26-02', 'vm-2026-11-26-02.html', 'vm-2026-11-26-02.log']);
    expect(r!.status).toBe('ok');
    expect(r!.emulated).toBe(false);
  });

  it('a folder of raw-output folders gives one result per folder', async () => {
    const [set] = await loadResultSets(FIX);
    expect(set!.results.map((r) => r.target.name)).toEqual(['runA_i1_c1_subset', 'runB_i1_c1_c2_index', 'runC_q_c17_syscall', 'runD_default_full']);
    expect(set!.results[2]!.unixbench!.passes[0]!.empty).toBe(true);
    expect(set!.results[3]!.unixbench!.passes.map((p) => p.index!.score)).toEqual([1481.2, 3028.5]);
  });

  it('a folder that holds nothing usable is refused, saying what was looked for', async () => {
    await writeFile(join(root, 'notes.txt'), 'hello');
    await expect(loadResultSets(root)).rejects.toThrow(/not a run directory, a result set or a folder of UnixBench output/);
    await expect(loadResultSets(join(root, 'missing'))).rejects.toThrow(/does not exist/);
  });

  it('a raw folder with a broken report fails the load (nothing silently left out)', async () => {
    const dir = join(root, 'broken');
    await cp(join(FIX, 'runA_i1_c1_subset'), dir, { recursive: true });
    await writeFile(join(dir, 'vm-2026-11-26-01'), 'garbage\n');
    await expect(loadResultSets(dir)).rejects.toMatchObject({ code: 'UNIXBENCH_PARSE', location: { line: 1 } });
  });
});

describe('run directory', () => {
  it('creates results/<run-id>/ with run.json, writes results with raw files, lists and reads them back', async () => {
    const doc = await fixtureResult();
    const dir = await createRunDir(root, 'run-1', { suite: 'local-quick' });
    expect((await readRunFile(dir)).runId).toBe('run-1');
    const raw = await Promise.all(doc.rawFiles.map(async (name) => ({ name, content: await readFile(join(FIX, 'runB_i1_c1_c2_index', name)) })));
    const written = { ...doc, runId: 'run-1', rawFiles: [] };
    const resultDir = await writeResult(dir, written, raw);
    expect((await readdir(resultDir)).sort()).toEqual([...doc.rawFiles, 'result.json'].sort());
    expect(await readFile(join(resultDir, 'vm-2026-11-26-02.log'))).toEqual(await readFile(join(FIX, 'runB_i1_c1_c2_index', 'vm-2026-11-26-02.log')));
    const back = await readResult(resultDir);
    expect(back).toEqual({ ...written, rawFiles: doc.rawFiles });
    expect(await listResults(dir)).toEqual([back]);
    const [set] = await loadResultSets(dir);
    expect(set!.name).toBe('run-1');
    expect(set!.results).toEqual([back]);
  });

  it('refuses a second run in the same directory', async () => {
    await createRunDir(root, 'run-1');
    await expect(createRunDir(root, 'run-1')).rejects.toMatchObject({ code: 'RUN_EXISTS' });
  });

  it('never overwrites a result silently; an explicit replace keeps the old one beside it', async () => {
    const doc = { ...(await fixtureResult()), rawFiles: [] };
    const dir = await createRunDir(root, 'run-2');
    await writeResult(dir, doc);
    const second = { ...doc, repetition: 2 };
    await expect(writeResult(dir, second)).rejects.toMatchObject({ code: 'RESULT_EXISTS' });
    expect((await readResult(join(dir, doc.id))).repetition).toBe(1);
    await writeResult(dir, second, [], { replace: true });
    expect((await readResult(join(dir, doc.id))).repetition).toBe(2);
    const files = await readdir(join(dir, doc.id));
    const kept = files.filter((f) => /^result\.replaced-.*\.json$/.test(f));
    expect(kept).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, doc.id, kept[0]!), 'utf8')).repetition).toBe(1);
  });

  it('writes atomically: no temporary files left, and a reader never sees a partial result.json', async () => {
    const doc = { ...(await fixtureResult()), rawFiles: [] };
    const dir = await createRunDir(root, 'run-3');
    await writeResult(dir, doc);
    const path = join(dir, doc.id, 'result.json');
    const before = await readFile(path, 'utf8');
    // Replace it many times while reading it: every read must parse as a whole result.
    let reads = 0;
    const writer = (async () => {
      for (let i = 2; i < 40; i++) await writeResult(dir, { ...doc, repetition: i }, [], { replace: true });
    })();
    let done = false;
    void writer.then(() => (done = true));
    while (!done) {
      const text = await readFile(path, 'utf8');
      expect(() => parseResultDoc(JSON.parse(text), path)).not.toThrow();
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
    expect(before.length).toBeGreaterThan(1000);
    const files = await readdir(join(dir, doc.id));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Every replaced version was kept.
    expect(files.filter((f) => f.startsWith('result.replaced-'))).toHaveLength(38);
  });

  it('refuses ids and raw file names that would leave the folder', async () => {
    const doc = { ...(await fixtureResult()), rawFiles: [] };
    const dir = await createRunDir(root, 'run-4');
    await expect(writeResult(dir, { ...doc, id: '../escape' })).rejects.toBeInstanceOf(InputError);
    await expect(writeResult(dir, doc, [{ name: '../x', content: 'x' }])).rejects.toBeInstanceOf(InputError);
    await expect(writeResult(dir, doc, [{ name: 'result.json', content: '{}' }])).rejects.toBeInstanceOf(InputError);
  });
});

describe('result schema', () => {
  it('refuses unknown schema versions with a clear error', async () => {
    const doc = await fixtureResult();
    for (const [version, pattern] of [
      [2, /unknown result schemaVersion 2 \(this virtbench reads version 1\)/],
      ['1', /unknown result schemaVersion "1"/],
      [0, /unknown result schemaVersion 0/],
    ] as const) {
      try {
        parseResultDoc({ ...doc, schemaVersion: version }, 'r.json');
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).message).toMatch(pattern);
        expect((e as InputError).location).toEqual({ file: 'r.json', field: 'schemaVersion' });
      }
    }
    expect(() => parseResultDoc({ ...doc, schemaVersion: 2 }, 'r.json')).toThrow(expect.objectContaining({ hint: expect.stringMatching(/upgrade virtbench/) }));
    const { schemaVersion: _drop, ...noVersion } = doc;
    expect(() => parseResultDoc(noVersion, 'r.json')).toThrow(/no schemaVersion/);
  });

  it('a newer result.json in a run directory is refused when the run is loaded', async () => {
    const doc = { ...(await fixtureResult()), rawFiles: [] };
    const dir = await createRunDir(root, 'run-5');
    await mkdir(join(dir, 'x-r1'));
    await writeFile(join(dir, 'x-r1', 'result.json'), JSON.stringify({ ...doc, id: 'x-r1', schemaVersion: 2 }));
    await expect(loadResultSets(dir)).rejects.toMatchObject({ code: 'RESULT_SCHEMA_VERSION', location: { file: join(dir, 'x-r1', 'result.json') } });
  });

  it('names the field that is wrong', async () => {
    const doc = await fixtureResult();
    expect(() => parseResultDoc({ ...doc, target: { ...doc.target, method: 'docker' } }, 'r.json')).toThrow(
      expect.objectContaining({ location: { file: 'r.json', field: 'target.method' } }),
    );
    expect(() => parseResultDoc({ ...doc, repetition: 0 }, 'r.json')).toThrow(/repetition/);
  });
});
