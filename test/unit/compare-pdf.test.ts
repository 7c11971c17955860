import { unixbenchFixture } from '../support/fixtures.js';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe as suite, expect, it } from 'vitest';
import { runCompare, writeVerdictPdf } from '../../src/cli/compare.js';
import { verdictSection } from '../../src/report/verdict-section.js';

suite('PDF verdict page', () => {
  it('renders the comparison of the runD fixture passes as a PDF page whose text holds the verdicts and intervals', async () => {
    const dir = unixbenchFixture('runD_default_full');
    const { comparison } = await runCompare({ baseline: dir, candidate: dir, baselineCopies: 1, candidateCopies: 2, format: 'json', threshold: '2', confidence: '95', level: 'auto' });
    expect(verdictSection(comparison).id).toBe('verdict');
    const tmp = await mkdtemp(join(tmpdir(), 'vb-h8-pdf-'));
    try {
      await writeVerdictPdf(comparison, join(tmp, 'v.pdf')); // what `compare --pdf` writes
      const text = execFileSync('pdftotext', ['-layout', join(tmp, 'v.pdf'), '-'], { encoding: 'utf8' });
      const pipe = comparison.pairs[0]!.rows.find((r) => r.test === 'Pipe Throughput')!;
      expect(text).toMatch(/Verdict: runD_default_full ->\s+runD_default_full/);
      expect(text).toMatch(/runD_default_full, 1 copy against runD_default_full, 2 copies/);
      expect(text).toMatch(new RegExp(`Pipe Throughput\\s+${pipe.baseline!.index.toFixed(1)}\\s+${pipe.candidate!.index.toFixed(1)}\\s+\\+${pipe.changePercent!.toFixed(1)}%`));
      expect(text).toContain(`+${pipe.intervalPercent!.lower.toFixed(1)}% to +${pipe.intervalPercent!.upper.toFixed(1)}%`);
      expect(text).toMatch(/Bonferroni/);
      expect(text).toMatch(/indicative: higher/);
      expect(text).toMatch(/13 indicative only/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
