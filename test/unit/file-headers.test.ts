import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../support/source-files.js';

// Every file under src/ opens (after a shebang) with a comment that says what it is for, before
// its imports.

/** The text before the first line that is not a comment, a shebang or blank. */
function opensWithComment(text: string): boolean {
  const body = text.replace(/^#!.*\n/, '').trimStart();
  return body.startsWith('/*') || body.startsWith('//');
}

describe('source file headers', () => {
  it('every src file opens with a comment before its imports', async () => {
    const files = await sourceFiles('src');
    expect(files.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const f of files) if (!opensWithComment(await readFile(join('src', f), 'utf8'))) missing.push(f);
    expect(missing).toEqual([]);
  });

  it('tells a file that opens with its imports from one that opens with a comment', () => {
    expect(opensWithComment("import { x } from './x.js';\n/** too late */\n")).toBe(false);
    expect(opensWithComment("#!/usr/bin/env node\n/** The CLI. */\nimport { x } from './x.js';\n")).toBe(true);
    expect(opensWithComment('\n// One job.\nexport const a = 1;\n')).toBe(true);
  });
});
