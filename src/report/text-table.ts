/**
 * Plain-text and Markdown tables for the compare, history and reproduce outputs (ANSI colour aware).
 * Markdown cells are Markdown already: callers escape what they did not write with escapeMarkdown
 * (format.ts), so their own emphasis and brackets stay.
 */

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

export function markdownTable(header: string[], rows: string[][], align: Align[]): string {
  const sep = align.map((a) => (a === 'right' ? '---:' : '---'));
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(header), `|${sep.join('|')}|`, ...rows.map(line)].join('\n');
}

export const COLOURS = { red: 31, green: 32, yellow: 33, grey: 90, bold: 1 } as const;

export function paint(s: string, colour: keyof typeof COLOURS, enabled: boolean): string {
  return enabled ? `\u001b[${COLOURS[colour]}m${s}\u001b[0m` : s;
}
