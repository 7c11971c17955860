/**
 * Whether a parsed UnixBench report adds up. The parser recomputes every score it can (from the
 * .log, and the Index Score from the index rows); a report whose printed figures disagree with
 * those, an index table that lacks a row for a test the pass ran, or a pass the .log has and the
 * report lacks is damaged (cut, edited). Reports mark it and `compare` refuses it by default.
 */
import { INDEX_TESTS } from './catalogue.js';
import type { UnixBenchReport } from './model.js';

export interface ReportDamage {
  /** Copies of the pass, when the problem is in one pass. */
  copies?: number;
  /** The printed test name, or the Index Score; absent for a whole pass. */
  test?: string;
  message: string;
}

const SCORE = 'System Benchmarks Index Score';

export function reportDamage(report: UnixBenchReport): ReportDamage[] {
  const out: ReportDamage[] = [];
  for (const c of report.checks) {
    if (c.ok) continue;
    const m = /^(\d+) cop(?:y|ies): (.*?)(?:: (?:index|report score|\.log score|samples|index table result))?$/.exec(c.what);
    const copies = m ? Number(m[1]) : undefined;
    const subject = m?.[2] ?? c.what;
    const test = /Index Score/.test(subject) ? SCORE : subject;
    out.push({ copies, test, message: `${c.what}: printed ${c.printed}, recomputed ${round(c.recomputed)}` });
  }
  for (const pass of report.passes) {
    if (pass.empty || !pass.index || pass.index.category !== undefined && pass.index.category !== 'System Benchmarks') continue;
    const rows = new Set(pass.index.rows.map((r) => r.name));
    const ran = pass.tests.map((t) => t.name).filter((n) => INDEX_TESTS.includes(n));
    for (const name of ran) {
      if (!rows.has(name)) out.push({ copies: pass.copies, test: name, message: `${pass.copies}-copy pass: "${name}" ran but has no row in the index table` });
    }
    if (!pass.index.partial) {
      for (const name of INDEX_TESTS) {
        if (!rows.has(name) && !ran.includes(name)) out.push({ copies: pass.copies, test: name, message: `${pass.copies}-copy pass: the full index table lacks "${name}"` });
      }
    }
  }
  if (report.log && !report.aborted) {
    const reported = new Set(report.passes.filter((p) => !p.empty).map((p) => p.copies));
    for (const copies of new Set(report.log.tests.map((t) => t.copies))) {
      if (!reported.has(copies)) out.push({ copies, message: `the .log has a ${copies}-copy pass that the report lacks (report cut short?)` });
    }
  }
  return out;
}

function round(n: number): string {
  return Number.isFinite(n) ? n.toFixed(1) : String(n);
}
