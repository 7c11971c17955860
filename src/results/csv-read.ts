/**
 * Read RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into rows of strings. Used for
 * the published reference table and to read back what export-csv wrote.
 */
import { ParseError } from '../core/errors.js';

export function parseCsv(text: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = 0;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        if (i < text.length && !/[,\r\n]/.test(text[i]!)) {
          throw new ParseError('CSV_PARSE', 'expected "," or the end of the line after a closing quote', { location: { file, line } });
        }
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endField();
      rows.push(row);
      row = [];
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new ParseError('CSV_PARSE', 'expected a closing quote before the end of the file', { location: { file, line } });
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}
