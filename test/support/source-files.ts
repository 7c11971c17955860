/** The .ts files under a folder (src/), as paths relative to it, for tests that read the source itself. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function sourceFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    if (e.isDirectory()) out.push(...(await sourceFiles(join(dir, e.name), `${rel}/`)));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}
