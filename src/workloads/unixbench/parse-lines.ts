/**
 * A cursor over the lines of a UnixBench output file that knows its line numbers, so every
 * parse error can say what was expected, what was found, and where.
 */
import { ParseError } from '../../core/errors.js';

export class LineCursor {
  readonly lines: string[];
  private pos: number;

  constructor(
    text: string,
    readonly file: string,
    readonly hint: string,
    start = 0,
    /** 0-based line where the input ends for this cursor (the next run in concatenated console output). */
    end?: number,
  ) {
    const lines = text.split(/\r?\n/);
    if (end !== undefined && end < lines.length) lines.length = end;
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    this.lines = lines;
    this.pos = start;
  }

  /** 1-based number of the line peek() returns. */
  get lineNumber(): number {
    return this.pos + 1;
  }

  get atEnd(): boolean {
    return this.pos >= this.lines.length;
  }

  peek(): string | undefined {
    return this.lines[this.pos];
  }

  next(): string | undefined {
    const line = this.lines[this.pos];
    if (line !== undefined) this.pos++;
    return line;
  }

  /** Consume the next line if it matches, else fail saying what was expected. */
  expect(re: RegExp, expected: string): RegExpExecArray {
    const line = this.peek();
    const m = line === undefined ? null : re.exec(line);
    if (!m) throw this.error(expected);
    this.pos++;
    return m;
  }

  expectBlank(expected = 'an empty line'): void {
    this.expect(/^\s*$/, expected);
  }

  skipBlank(): void {
    while (!this.atEnd && /^\s*$/.test(this.peek()!)) this.pos++;
  }

  /** "expected X, found <line>" at the current line (or at the end of input). */
  error(expected: string, line = this.lineNumber): ParseError {
    const found = this.lines[line - 1];
    const what = found === undefined ? 'the end of the file (truncated?)' : `"${clip(found)}"`;
    return new ParseError('UNIXBENCH_PARSE', `expected ${expected}, found ${what}`, {
      hint: this.hint,
      location: { file: this.file, line },
    });
  }
}

function clip(s: string): string {
  const t = s.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
  return t.length > 100 ? `${t.slice(0, 97)}...` : t;
}

/** A number as UnixBench prints it: digits with an optional fraction and exponent, nothing else. */
export function parseNumber(text: string): number | undefined {
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text.trim())) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
