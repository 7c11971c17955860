import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadResultSets } from '../../src/results/load.js';
import { renderReport } from '../../src/report/render.js';
import { unixbenchFixture } from '../support/fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function pdfText(inputs: string[], opts: { verdicts?: boolean } = {}): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'vb-verdict-pages-'));
  dirs.push(out);
  const sets = (await Promise.all(inputs.map((i) => loadResultSets(i)))).flat();
  await renderReport(sets, { outDir: out, formats: ['pdf'], generatedAt: '2026-11-27T00:00:00Z', ...opts });
  return execFileSync('pdftotext', ['-layout', join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
}

describe('verdict pages in the report PDF', () => {
  it('compares each measured column with the baseline, with intervals from the .log iterations', async () => {
    const text = await pdfText([unixbenchFixture('runD_default_full')]);
    expect(text).toMatch(/Verdict: runD_default_full, 2 copies against/);
    expect(text).toMatch(/per-iteration scores from the \.log/);
    // Dhrystone: 3357.5 (1 copy) -> 6700.1 (2 copies), values as runD's report prints them.
    expect(text).toMatch(/Dhrystone 2 using register variables\s+3357\.5\s+6700\.1\s+\+103\.\d%\s+\+\d+\.\d% to \+\d+\.\d%\s+indicative: higher/);
    expect(text).toMatch(/Indicative only: these samples are UnixBench's iterations/);
  });

  it('leaves them out for published columns and when asked to', async () => {
    expect(await pdfText(['results/reference/2011'])).not.toMatch(/Verdict:/);
    expect(await pdfText([unixbenchFixture('runD_default_full')], { verdicts: false })).not.toMatch(/Verdict:/);
  });
});
