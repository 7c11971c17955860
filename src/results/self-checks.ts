/**
 * What a column's figures say about themselves: every check the importer or parser made (a
 * published Index Score against its own index values, recomputed scores) and every finding (a
 * pass with missing tests, what the file does not state). Published Index Score checks are shown
 * in full; other checks are counted, and each one that failed is shown. Reports and compare print
 * these lines wherever the column appears.
 */
import type { UnixBenchCheck } from '../workloads/unixbench/model.js';
import { describeCheck } from '../workloads/unixbench/published-checks.js';
import type { ResultDoc } from './model.js';

export function selfCheckLines(results: readonly ResultDoc[], copies: number | null, published: boolean): string[] {
  const checks: UnixBenchCheck[] = [];
  const findings: string[] = [];
  for (const r of new Set(results)) {
    checks.push(...(r.unixbench?.checks ?? []).filter((c) => forCopies(c, copies)));
    for (const f of r.published?.findings ?? []) if (!findings.includes(f)) findings.push(f);
  }
  const lines: string[] = [];
  const full = published ? checks.filter((c) => / Index Score/.test(c.what)) : [];
  const rest = checks.filter((c) => !full.includes(c));
  for (const c of full) lines.push(`check: ${describeCheck(c)}`);
  const bad = rest.filter((c) => !c.ok);
  if (rest.length > 0) {
    lines.push(
      bad.length === 0
        ? `check: ${rest.length} more printed figures recomputed (${published ? 'each index from its result and baseline' : 'by the parser, from the report and its .log where given'}); all agree within rounding`
        : `check: ${bad.length} of ${rest.length} more printed figures DISAGREE with their recomputation`,
    );
  }
  for (const c of bad) lines.push(`check: ${describeCheck(c)}`);
  if (checks.length === 0) lines.push(published ? 'check: nothing printed here can be recomputed from the file' : 'check: no recomputation (no .log, no index table)');
  for (const f of findings) lines.push(`note: ${f}`);
  return lines;
}

/** A check names its pass ("1 copy: ...", "8 copies: ..."); a column of one copies count takes that pass's checks. */
function forCopies(c: UnixBenchCheck, copies: number | null): boolean {
  const m = /^(\d+) cop(?:y|ies): /.exec(c.what);
  return !m || copies === null || Number(m[1]) === copies;
}
