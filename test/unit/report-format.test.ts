import { describe, expect, it } from 'vitest';
import { escapeMarkdown, formatIndex, formatLevel, signedPercent } from '../../src/report/format.js';
import { markdownTable } from '../../src/report/text-table.js';

describe('one way to write numbers and Markdown', () => {
  it('a signed percent: a sign on every change that does not round to zero, none on one that does', () => {
    expect(signedPercent(-33.14)).toBe('-33.1%');
    expect(signedPercent(49.56)).toBe('+49.6%');
    expect(signedPercent(0)).toBe('0.0%');
    expect(signedPercent(0.04)).toBe('0.0%');
    expect(signedPercent(-0.04)).toBe('0.0%');
    expect(signedPercent(-0.05, 1)).toBe('-0.1%');
    expect(signedPercent(undefined)).toBe('');
    expect(signedPercent(-Infinity)).toBe('-unbounded');
    expect(signedPercent(-2e9)).toBe('< -1000%');
  });

  it('index values and levels', () => {
    expect(formatIndex(1234.56)).toBe('1234.6');
    expect(formatIndex(undefined)).toBe('-');
    expect(formatIndex(Number.NaN)).toBe('-');
    expect(formatLevel(0.95)).toBe('95%');
    expect(formatLevel(0.9962)).toBe('99.62%');
  });

  it('text from outside cannot open a table cell, a link or emphasis', () => {
    const label = 'kvm | [x](http://evil) *b* _i_ `c` <b>';
    expect(escapeMarkdown(label)).toBe('kvm \\| \\[x\\](http://evil) \\*b\\* \\_i\\_ \\`c\\` \\<b\\>');
    const table = markdownTable(['test'], [[escapeMarkdown(label)]], ['left']);
    // Three cell borders only: the header, the separator and the one row each have one cell.
    for (const line of table.split('\n')) expect(line.replace(/\\\|/g, '').split('|').length).toBe(3);
  });
});
