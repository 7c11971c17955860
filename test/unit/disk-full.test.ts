import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { loadResultSets } from '../../src/results/load.js';
import { readRawFolder } from '../../src/results/raw-folder.js';
import { writeResult } from '../../src/results/run-dir.js';
import { createRunDir } from '../support/run-dir.js';
import { renderReport } from '../../src/report/render.js';
import { unixbenchFixture } from '../support/fixtures.js';

/** Disk full while writing: a real, small tmpfs this test mounts and unmounts. */
const root = process.getuid?.() === 0;
let mnt: string;
let mounted = false;

beforeAll(async () => {
  if (!root) return;
  mnt = await mkdtemp(join(tmpdir(), 'vb-enospc-'));
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'vb-enospc', mnt]);
  mounted = true;
});
afterAll(async () => {
  if (mounted) await execa('umount', [mnt]);
  if (mnt) await rm(mnt, { recursive: true, force: true });
});

describe.skipIf(!root)('ENOSPC', () => {
  it('a result that does not fit: a clear error, and no half result.json or temporary file left', async () => {
    const [doc] = await readRawFolder(unixbenchFixture('runB_i1_c1_c2_index'));
    const run = await createRunDir(mnt, 'full');
    const e = await writeResult(run, doc!, [{ name: 'big.log', content: new Uint8Array(512 * 1024).fill(65) }]).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toContain('ENOSPC');
    expect((e as InputError).message).toContain('disk is full');
    const left = await readdir(join(run, doc!.id)).catch(() => [] as string[]);
    expect(left.filter((n) => n === 'result.json' || n.endsWith('.tmp'))).toEqual([]);
    // What is there still loads (nothing half-written is taken for a result).
    expect((await loadResultSets(run))[0]!.results).toEqual([]);
  });

  it('a report that does not fit: a clear error and no folder at --out', async () => {
    const sets = await loadResultSets(unixbenchFixture('runD_default_full'));
    const out = join(mnt, 'report');
    const e = await renderReport(sets, { outDir: out, formats: ['csv', 'png', 'pdf'] }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toMatch(/ENOSPC/);
    expect(await stat(out).then(() => true, () => false)).toBe(false);
    expect((await readdir(mnt)).filter((n) => n.startsWith('.report'))).toEqual([]);
  });
});
