import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../support/source-files.js';
import { DESCRIPTORS } from '../../src/providers/registry.js';

// Everything method-specific lives in src/providers/<method>/ behind one descriptor (issue 12):
// no file outside src/providers/ compares or switches on a method's name. A line that names a
// method as a DATA label (a 2011 claim, a result's recorded method) is allowed below, each for a
// reason; an entry that no longer matches anything fails too, so the list stays true.
const METHOD = '(host|lxc|kvm|openvz)';
const PATTERNS = [
  new RegExp(`(===?|!==?)\\s*['"\`]${METHOD}['"\`]`),
  new RegExp(`['"\`]${METHOD}['"\`]\\s*(===?|!==?)`),
  new RegExp(`case\\s+['"\`]${METHOD}['"\`]\\s*:`),
  new RegExp(`\\.includes\\(\\s*['"\`]${METHOD}['"\`]\\s*\\)`),
];

const ALLOWED: { file: string; text: string; why: string }[] = [
  { file: 'remote/ssh-config.ts', text: "key === 'host'", why: "ssh_config's own Host keyword, not the method" },
  { file: 'results/virtualized.ts', text: "r.target.method !== 'host'", why: "reads a stored result's recorded method: is this bare-metal baseline itself a VM? (data, not provider behaviour)" },
  { file: 'analysis/claims.ts', text: "method === 'lxc'", why: "the 2011 seed's claims name LXC, OpenVZ and KVM columns (data labels of the claims)" },
  { file: 'analysis/claims.ts', text: "method === 'openvz' || method === 'kvm'", why: "the 2011 seed's claims name LXC, OpenVZ and KVM columns (data labels of the claims)" },
  { file: 'analysis/claims.ts', text: "role === 'kvm' && is2011Kvm(col)", why: "the 2011 KVM column of the claims (data label)" },
  { file: 'analysis/claims.ts', text: "role === 'kvm' && cols.kvm!.emulated", why: 'an emulated column never decides the 2011 KVM claim (data label)' },
];

/** Lines of `text` that compare or switch on a method's name. */
function methodSwitches(text: string): { line: number; text: string }[] {
  return text.split('\n').flatMap((l, i) => (PATTERNS.some((p) => p.test(l)) ? [{ line: i + 1, text: l.trim() }] : []));
}

describe('per-method code lives in src/providers/', () => {
  it('no file outside src/providers/ switches on a method name (except the data labels allowed, each with its reason)', async () => {
    const files = (await sourceFiles('src')).filter((f) => !f.startsWith('providers/'));
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    const used = new Set<number>();
    for (const f of files) {
      for (const hit of methodSwitches(await readFile(join('src', f), 'utf8'))) {
        const allowed = ALLOWED.findIndex((a) => a.file === f && hit.text.includes(a.text));
        if (allowed >= 0) used.add(allowed);
        else found.push(`src/${f}:${hit.line}: ${hit.text}`);
      }
    }
    expect(found).toEqual([]);
    expect(ALLOWED.filter((_, i) => !used.has(i))).toEqual([]);
  });

  it('catches a switch and a comparison on a method, and leaves other strings alone', () => {
    const sample = [
      "if (t.spec.method === 'kvm') return 1;",
      "  case 'lxc':",
      "const x = m !== \"openvz\";",
      "if (methods.includes('host')) go();",
      "const field = t.network === 'bridge';",
      "const s = 'kvm';",
    ].join('\n');
    expect(methodSwitches(sample).map((h) => h.line)).toEqual([1, 2, 3, 4]);
  });

  it('the registry lists each method once, each descriptor under its own method', () => {
    const methods = DESCRIPTORS.map((d) => d.method);
    expect(new Set(methods).size).toBe(methods.length);
    expect([...methods].sort()).toEqual(['host', 'kvm', 'lxc', 'openvz']);
    for (const d of DESCRIPTORS) expect(d.createProvider().method).toBe(d.method);
  });
});
