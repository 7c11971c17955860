/** Plain-text and Markdown tables for the compare and reproduce outputs (ANSI colour aware). */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

export type Align = 'left' | 'right';

export function textTable(header: string[], rows: string[][], align: Align[]): string {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - visibleLength(s));
    return align[i] === 'right' ? fill + s : s + fill;
  };
  const line = (r: string[]) => r.map((c, i) => pad(c, i)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

export function markdownTable(header: string[], rows: string[][], align: Align[]): string {
  const sep = align.map((a) => (a === 'right' ? '---:' : '---'));
  const line = (r: string[]) => `| ${r.map(mdEscape).join(' | ')} |`;
  return [line(header), `|${sep.join('|')}|`, ...rows.map(line)].join('\n');
}

export const COLOURS = { red: 31, green: 32, yellow: 33, grey: 90, bold: 1 } as const;

export function paint(s: string, colour: keyof typeof COLOURS, enabled: boolean): string {
  return enabled ? `\u001b[${COLOURS[colour]}m${s}\u001b[0m` : s;
}

/** Beyond this a percent says nothing a reader can use (a 2-sample interval can reach 1e29 %). */
export const PERCENT_LIMIT = 1000;

export function signedPercent(x: number | undefined, digits = 1): string {
  if (x === undefined || Number.isNaN(x)) return '';
  if (!Number.isFinite(x)) return x > 0 ? 'unbounded' : '-unbounded';
  if (x > PERCENT_LIMIT) return `> +${PERCENT_LIMIT}%`;
  if (x < -PERCENT_LIMIT) return `< -${PERCENT_LIMIT}%`;
  const s = x.toFixed(digits);
  return x > 0 ? `+${s}%` : `${s}%`;
}

export function formatIndex(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(1);
}

/** 0.95 -> "95%", 0.99615 -> "99.62%". */
export function formatLevel(x: number): string {
  const p = x * 100;
  return `${Number.isInteger(Math.round(p * 100) / 100) ? p.toFixed(0) : p.toFixed(2)}%`;
}
