/**
 * How every report, compare, history and reproduce output writes numbers and text: index values,
 * percents (one signed convention), confidence levels, a cell with its spread, and the one
 * Markdown escape.
 */
import type { ReportCell } from './report-table.js';

/** Index values as UnixBench prints them: one decimal; "-" where there is none. */
export function formatIndex(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(1);
}

/** 33.14 -> "33.1%" (no sign). */
export function percent(x: number, digits = 1): string {
  return `${x.toFixed(digits)}%`;
}

/** Beyond this a percent says nothing a reader can use (a 2-sample interval can reach 1e29 %). */
export const PERCENT_LIMIT = 1000;

/**
 * A change in percent: -33.14 -> "-33.1%", 49.56 -> "+49.6%", a change that rounds to zero ->
 * "0.0%"; beyond +-1000% and infinities say so; "" where there is no value.
 */
export function signedPercent(x: number | undefined, digits = 1): string {
  if (x === undefined || Number.isNaN(x)) return '';
  if (!Number.isFinite(x)) return x > 0 ? 'unbounded' : '-unbounded';
  if (x > PERCENT_LIMIT) return `> +${PERCENT_LIMIT}%`;
  if (x < -PERCENT_LIMIT) return `< -${PERCENT_LIMIT}%`;
  const s = x.toFixed(digits);
  if (Number(s) === 0) return percent(0, digits);
  return x > 0 ? `+${s}%` : `${s}%`;
}

/** 0.95 -> "95%", 0.9962 -> "99.62%". */
export function formatLevel(x: number): string {
  const p = x * 100;
  return percent(p, Number.isInteger(Math.round(p * 100) / 100) ? 0 : 2);
}

/**
 * "Intervals: <method>, 95% simultaneous over N comparisons (<correction>: each at X)", or, when no
 * row had the repetitions for an interval, says so instead of "over 0 comparisons".
 */
export function intervalsClause(i: { method: string; confidence: number; familySize: number; correction: string; perComparisonConfidence: number }, extra = ''): string {
  if (i.familySize === 0) return 'Intervals: none (no row has the repetitions for one)';
  const n = `${i.familySize} comparison${i.familySize === 1 ? '' : 's'}`;
  return `Intervals: ${i.method}, ${formatLevel(i.confidence)} simultaneous over ${n} (${i.correction}${extra}: each at ${formatLevel(i.perComparisonConfidence)})`;
}

/** Escapes what Markdown would read as table, emphasis, code, link or HTML syntax. */
export function escapeMarkdown(s: string): string {
  return s.replace(/([\\|*_`[\]<>])/g, '\\$1');
}

/** Word-wraps text to the width; a word longer than the width, or a "[marker]", stays whole. */
export function wrapWords(s: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of s.split(/ (?![^[]*\])/)) {
    if (cur && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** A cell's value; several repetitions add their spread: "1234.5 [1200.0-1250.0]". */
export function fmtCell(c: ReportCell | null): string {
  if (!c) return '-';
  const mark = c.damaged ? ' (!)' : '';
  if (c.n < 2 && !c.interval) return `${formatIndex(c.center)}${mark}`;
  const lo = c.interval ? c.interval.lower : c.min;
  const hi = c.interval ? c.interval.upper : c.max;
  return `${formatIndex(c.center)} [${formatIndex(lo)}-${formatIndex(hi)}]${mark}`;
}

/** What the brackets in fmtCell mean, for the note under a table. */
export function spreadNote(cells: (ReportCell | null)[]): string | undefined {
  const withSpread = cells.filter((c): c is ReportCell => !!c && (c.n > 1 || !!c.interval));
  if (withSpread.length === 0) return undefined;
  const iv = withSpread.find((c) => c.interval)?.interval;
  if (iv) {
    const level = iv.level !== undefined ? `${percent(iv.level * 100, 0)} ` : '';
    return `Values with several repetitions show the geometric mean and [${level}interval${iv.method ? `, ${iv.method}` : ''}].`;
  }
  return 'Values with several repetitions show the geometric mean and [min-max] over the repetitions.';
}
