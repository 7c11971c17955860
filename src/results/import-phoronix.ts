/**
 * A Phoronix Test Suite result file (composite.xml) holding results of its UnixBench test profile
 * (pts/unixbench-*). PTS keeps one <Result> per test option (its <Arguments> are UnixBench's test
 * names, its <Description> says which test) and one <Entry> per system in <Data>; <System> says
 * what each system was. PTS stores raw test results, not UnixBench's index: the index values are
 * computed here from the 5.1.3 baselines, and the report says so.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ParseError } from '../core/errors.js';
import type { UnixBenchIndexRow, UnixBenchPass, UnixBenchTestResult } from '../workloads/unixbench/model.js';
import { missingIndexTests } from '../workloads/unixbench/published-checks.js';
import { BASELINES_5_1_3, INDEX_TESTS } from '../workloads/unixbench/catalogue.js';
import { indexGeometricMean, indexValue } from '../workloads/unixbench/score.js';
import type { ImportedPeerSet } from './import-pkb.js';
import { setNameFrom, type ImportOrigin } from './import-set.js';
import { RESULT_SCHEMA_VERSION, type ResultDoc } from './model.js';

export const PTS_TOOL = 'Phoronix Test Suite';

interface XmlElement {
  name: string;
  text: string;
  children: XmlElement[];
}

export async function importPhoronix(path: string): Promise<ImportedPeerSet> {
  const xml = await readFile(path, 'utf8');
  const fail = (what: string, field?: string): ParseError =>
    new ParseError('PTS_PARSE', what, {
      hint: "give a Phoronix Test Suite composite.xml (~/.phoronix-test-suite/test-results/<name>/composite.xml) with pts/unixbench results",
      location: { file: path, ...(field ? { field } : {}) },
    });
  const root = parseXml(xml, fail);
  if (root.name !== 'PhoronixTestSuite') throw fail(`expected the root element <PhoronixTestSuite>, found <${root.name}>`);
  const generated = child(root, 'Generated');
  const toolVersion = text(generated, 'TestClient') ?? text(child(root, 'System'), 'TestClientVersion');
  const systems = root.children.filter((c) => c.name === 'System');
  const results = root.children.filter((c) => c.name === 'Result' && /^(?:[\w.-]+\/)?unixbench(?:-[\d.]+)?$/i.test(text(c, 'Identifier') ?? ''));
  const others = root.children.filter((c) => c.name === 'Result').length - results.length;
  if (results.length === 0) throw fail(`no pts/unixbench result in ${path}${others ? ` (${others} results of other tests)` : ''}`, 'Result');

  const entriesBySystem = new Map<string, { test: string; value: number; unit: string; runs: number; description: string; appVersion: string }[]>();
  const unmatched: string[] = [];
  for (const r of results) {
    const description = text(r, 'Description') ?? '';
    const args = text(r, 'Arguments') ?? '';
    const test = testFor(args, description);
    if (!test) {
      unmatched.push(description || args || '(no description)');
      continue;
    }
    for (const e of child(r, 'Data')?.children.filter((c) => c.name === 'Entry') ?? []) {
      const system = text(e, 'Identifier') ?? '';
      const value = Number(text(e, 'Value'));
      if (!Number.isFinite(value)) throw fail(`"${description}" of "${system}": <Value> is not a number`, 'Value');
      const raw = (text(e, 'RawString') ?? '').split(':').filter((s) => s !== '');
      const list = entriesBySystem.get(system) ?? [];
      list.push({ test, value, unit: text(r, 'Scale') ?? '', runs: raw.length, description, appVersion: text(r, 'AppVersion') ?? '' });
      entriesBySystem.set(system, list);
    }
  }
  if (entriesBySystem.size === 0) throw fail('the pts/unixbench results hold no entry that names a UnixBench index test', 'Data');

  const name = setNameFrom(path, 'pts');
  const docs: ResultDoc[] = [];
  for (const [system, entries] of entriesBySystem) {
    const sys = systems.find((s) => text(s, 'Identifier') === system);
    const findings: string[] = [
      'Phoronix Test Suite records raw results, not UnixBench\'s index: each index value here is result / 5.1.3 baseline x 10, and the Index Score their geometric mean, computed by virtbench',
    ];
    if (unmatched.length) findings.push(`results not matched to a UnixBench index test, left out: ${unmatched.join('; ')}`);
    if (others) findings.push(`${others} results of other test profiles in the file were left out`);
    const tests: UnixBenchTestResult[] = [];
    const rows: UnixBenchIndexRow[] = [];
    for (const e of entries) {
      const base = BASELINES_5_1_3[e.test]!;
      tests.push({ name: e.test, value: e.value, unit: e.unit, seconds: 0, samples: e.runs });
      rows.push({ name: e.test, baseline: base.baseline, result: e.value, index: indexValue(e.value, base.baseline) });
    }
    rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const missing = missingIndexTests({ partial: false, rows, score: 0 });
    if (missing.length) findings.push(`${rows.length} of the 12 index tests (missing: ${missing.join(', ')}); the Index Score is partial`);
    const index = { partial: missing.length > 0, rows, score: indexGeometricMean(rows.map((r) => r.index)) };
    const appVersion = entries.find((e) => e.appVersion)?.appVersion ?? '';
    if (!appVersion) findings.push('the result file does not state the UnixBench version');
    const hardware = fields(text(sys, 'Hardware'));
    const software = fields(text(sys, 'Software'));
    const conditions: Record<string, string> = { system };
    for (const [k, v] of [...hardware, ...software]) conditions[k] = v;
    const stamp = text(sys, 'TimeStamp') ?? text(generated, 'LastModified') ?? '';
    const when = stamp ? new Date(stamp.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(stamp) ? '' : 'Z')).toISOString() : '';
    const pass: UnixBenchPass = { copies: 1, cpusInSystem: 0, runLine: '', tests, index, empty: false };
    // PTS runs UnixBench with its own copy count; the file does not say which.
    findings.push('copies per test not stated in the result file');
    const target = `pts-${system}`.replace(/[^A-Za-z0-9._-]+/g, '-');
    docs.push({
      schemaVersion: RESULT_SCHEMA_VERSION,
      id: `${target}-r1`,
      runId: name,
      target: { name: target, method: 'published', host: system, label: `PTS ${system}` },
      workload: { name: 'unixbench', version: appVersion || 'unknown', options: {} },
      repetition: 1,
      status: 'ok',
      startedAt: when,
      finishedAt: when,
      emulated: false,
      published: {
        source: `${PTS_TOOL} result file, ${basename(path)}`,
        conditions,
        tool: PTS_TOOL,
        file: basename(path),
        findings,
        ...(toolVersion ? { toolVersion } : {}),
      },
      unixbench: {
        version: appVersion || 'unknown',
        system: {
          hostname: system,
          system: '',
          os: conditions.OS ?? '',
          kernelRelease: conditions.Kernel ?? '',
          kernelVersion: '',
          machine: '',
          language: '',
          cpus: conditions.Processor ? [{ index: 0, model: conditions.Processor, features: [] }] : [],
        },
        passes: [pass],
        // Every index here is computed, so nothing printed can be checked against it.
        checks: [],
      },
      rawFiles: [],
    });
  }
  const origin: ImportOrigin = { tool: PTS_TOOL, format: 'composite.xml', file: path, ...(toolVersion ? { toolVersion } : {}) };
  return { set: { source: path, name, results: docs }, origin };
}

/** A PTS test option to UnixBench's test: by its Run argument (dhry2reg, ...) or by the test's name in the description. */
function testFor(args: string, description: string): string | undefined {
  const arg = args.trim().split(/\s+/).pop() ?? '';
  for (const name of INDEX_TESTS) if (BASELINES_5_1_3[name]!.test === arg) return name;
  const d = description.replace(/^Test:\s*/i, '').trim().toLowerCase();
  if (!d) return undefined;
  return INDEX_TESTS.find((name) => name.toLowerCase() === d || name.toLowerCase().startsWith(d));
}

/** "Processor: X, Motherboard: Y, ..." into pairs (PTS joins its hardware and software fields with ", "). */
function fields(s: string | undefined): [string, string][] {
  if (!s) return [];
  const out: [string, string][] = [];
  for (const m of s.matchAll(/(?:^|,\s*)([A-Z][\w -]*?):\s*(.*?)(?=,\s*[A-Z][\w -]*?:\s|$)/g)) out.push([m[1]!, m[2]!.trim()]);
  return out;
}

function child(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

function text(e: XmlElement | undefined, name: string): string | undefined {
  const c = child(e, name);
  return c ? c.text.trim() : undefined;
}

/**
 * Enough XML for PTS's result files: elements, text, entities, CDATA, comments and the prolog;
 * attributes are read past. Not a general XML parser.
 */
function parseXml(xml: string, fail: (what: string) => ParseError): XmlElement {
  const stack: XmlElement[] = [{ name: '#document', text: '', children: [] }];
  const tokens = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w.-]*)([^>]*?)(\/?)>|([^<]+)/g;
  for (const m of xml.matchAll(tokens)) {
    const top = stack[stack.length - 1]!;
    if (m[1] !== undefined) top.text += m[1];
    else if (m[3] !== undefined) {
      if (m[2] === '/') {
        const open = stack.pop()!;
        if (open.name !== m[3]) throw fail(`</${m[3]}> closes <${open.name}>`);
      } else {
        const el: XmlElement = { name: m[3], text: '', children: [] };
        top.children.push(el);
        if (m[5] !== '/') stack.push(el);
      }
    } else if (m[6] !== undefined) top.text += decode(m[6]);
  }
  if (stack.length !== 1) throw fail(`<${stack[stack.length - 1]!.name}> is not closed (file cut short?)`);
  const root = stack[0]!.children[0];
  if (!root) throw fail('no XML element in the file');
  return root;
}

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, e: string) => {
    const k = e.toLowerCase();
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'amp') return '&';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    return String.fromCodePoint(k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10));
  });
}
