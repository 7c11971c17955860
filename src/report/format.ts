/**
 * How a report writes numbers: index values, percents, a cell with its spread, and the note that
 * explains the brackets.
 */
import type { ReportCell } from './comparison.js';

/** Index values as UnixBench prints them: one decimal. */
export function fmtIndex(n: number): string {
  return n.toFixed(1);
}

/** 33.14 -> "33.1%" (no sign). */
export function fmtPct(n: number): string {
  return `${n.toFixed(1)}%`;
}

/** -33.14 -> "-33.1%", 49.56 -> "+49.6%". */
export function fmtSignedPct(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '-' : n > 0 ? 'unbounded' : '-unbounded';
  if (n > 1000) return '> +1000%';
  if (n < -1000) return '< -1000%';
  const s = n.toFixed(1);
  return `${n >= 0 && !s.startsWith('-') ? '+' : ''}${s}%`;
}

/** A cell's value; several repetitions add their spread: "1234.5 [1200.0-1250.0]". */
export function fmtCell(c: ReportCell | null): string {
  if (!c) return '-';
  const mark = c.damaged ? ' (!)' : '';
  if (c.n < 2 && !c.interval) return `${fmtIndex(c.center)}${mark}`;
  const lo = c.interval ? c.interval.lower : c.min;
  const hi = c.interval ? c.interval.upper : c.max;
  return `${fmtIndex(c.center)} [${fmtIndex(lo)}-${fmtIndex(hi)}]${mark}`;
}

/** What the brackets in fmtCell mean, for the note under a table. */
export function spreadNote(cells: (ReportCell | null)[]): string | undefined {
  const withSpread = cells.filter((c): c is ReportCell => !!c && (c.n > 1 || !!c.interval));
  if (withSpread.length === 0) return undefined;
  const iv = withSpread.find((c) => c.interval)?.interval;
  if (iv) {
    const level = iv.level !== undefined ? `${Math.round(iv.level * 100)}% ` : '';
    return `Values with several repetitions show the geometric mean and [${level}interval${iv.method ? `, ${iv.method}` : ''}].`;
  }
  return 'Values with several repetitions show the geometric mean and [min-max] over the repetitions.';
}
