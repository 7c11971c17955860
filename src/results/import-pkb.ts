/**
 * PerfKitBenchmarker's published samples of its unixbench benchmark: newline-delimited JSON as its
 * NewlineDelimitedJSONPublisher writes it (metric, value, unit, and the metadata either as an
 * object or collapsed into "labels": "|key:value|,|key:value|"). Its unixbench_benchmark.py
 * emits, per pass ("num_parallel_copies"), one sample per test (value, unit, samples, time), one
 * "<test>:score" sample per index row (value = result; baseline and index in the metadata) and
 * "System Benchmarks Index Score". One result per run_uri (or one for the file).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ParseError } from '../core/errors.js';
import type { UnixBenchCheck, UnixBenchIndexRow, UnixBenchPass, UnixBenchTestResult } from '../workloads/unixbench/model.js';
import { missingIndexTests, printedIndexChecks } from '../workloads/unixbench/published-checks.js';
import { BASELINES_5_1_3 } from '../workloads/unixbench/catalogue.js';
import type { ImportOrigin } from './import-set.js';
import { setNameFrom } from './import-set.js';
import { RESULT_SCHEMA_VERSION, type ResultDoc, type ResultSet } from './model.js';

export const PKB_TOOL = 'PerfKitBenchmarker';
const INDEX_SCORE = 'System Benchmarks Index Score';
/** Metadata PKB adds to every sample that says where the numbers came from. */
const ENVIRONMENT_KEYS = [
  'cloud', 'zone', 'region', 'machine_type', 'image', 'os_type', 'os_info', 'kernel_release', 'num_cpus', 'cpu_arch',
  'cpu_model', 'memory_size_mb', 'vm_count', 'perfkitbenchmarker_version', 'unixbench_all_cores',
];

interface Sample {
  line: number;
  metric: string;
  value: number;
  unit: string;
  metadata: Record<string, string>;
  runUri: string;
  timestamp?: number;
}

export interface ImportedPeerSet {
  set: ResultSet;
  origin: ImportOrigin;
}

export async function importPkb(path: string): Promise<ImportedPeerSet> {
  const text = await readFile(path, 'utf8');
  const samples: Sample[] = [];
  let others = 0;
  let toolVersion: string | undefined;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const line = i + 1;
    const fail = (what: string, field?: string): ParseError =>
      new ParseError('PKB_PARSE', what, {
        hint: "give PerfKitBenchmarker's JSON output (--json_path): one JSON object per line with metric, value, unit and metadata or labels",
        location: { file: path, line, ...(field ? { field } : {}) },
      });
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch (e) {
      throw fail(`not a JSON object: ${(e as Error).message}`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw fail('expected a JSON object (one sample per line)');
    const rec = o as Record<string, unknown>;
    if (typeof rec.test === 'string' && rec.test !== 'unixbench') {
      others++;
      continue;
    }
    if (typeof rec.metric !== 'string') throw fail('a sample without a "metric"', 'metric');
    if (typeof rec.value !== 'number' || !Number.isFinite(rec.value)) throw fail(`"${rec.metric}": "value" is not a number`, 'value');
    const metadata = readMetadata(rec, fail);
    toolVersion ??= metadata.perfkitbenchmarker_version;
    const s: Sample = {
      line,
      metric: rec.metric,
      value: rec.value,
      unit: typeof rec.unit === 'string' ? rec.unit : '',
      metadata,
      runUri: typeof rec.run_uri === 'string' ? rec.run_uri : '',
    };
    if (typeof rec.timestamp === 'number') s.timestamp = rec.timestamp;
    samples.push(s);
  }
  if (samples.length === 0) {
    throw new ParseError('PKB_PARSE', `no unixbench sample in ${path}${others ? ` (${others} samples of other benchmarks)` : ''}`, {
      hint: 'run PerfKitBenchmarker with --benchmarks=unixbench --json_path=<file>',
      location: { file: path },
    });
  }

  const name = setNameFrom(path, 'pkb');
  const runs = new Map<string, Sample[]>();
  for (const s of samples) runs.set(s.runUri, [...(runs.get(s.runUri) ?? []), s]);
  const docs: ResultDoc[] = [];
  for (const [runUri, runSamples] of runs) {
    docs.push(pkbResult(path, name, runUri, runSamples, docs.length + 1, others, toolVersion));
  }
  const origin: ImportOrigin = { tool: PKB_TOOL, format: 'PKB samples (newline-delimited JSON)', file: path, ...(toolVersion ? { toolVersion } : {}) };
  return { set: { source: path, name, results: docs }, origin };
}

function readMetadata(rec: Record<string, unknown>, fail: (what: string, field?: string) => ParseError): Record<string, string> {
  const out: Record<string, string> = {};
  if (rec.metadata !== undefined) {
    if (typeof rec.metadata !== 'object' || rec.metadata === null) throw fail('"metadata" is not an object', 'metadata');
    for (const [k, v] of Object.entries(rec.metadata)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (typeof rec.labels === 'string' && rec.labels !== '') {
    // GetLabelsFromDict: ",".join("|k:v|"); a value may itself hold ":" or ",".
    for (const part of rec.labels.replace(/^\|/, '').replace(/\|$/, '').split('|,|')) {
      const at = part.indexOf(':');
      if (at <= 0) throw fail(`a label without "key:value": "${part}"`, 'labels');
      out[part.slice(0, at)] = part.slice(at + 1);
    }
  }
  return out;
}

function pkbResult(path: string, setName: string, runUri: string, samples: Sample[], n: number, others: number, toolVersion: string | undefined): ResultDoc {
  const findings: string[] = [];
  const byCopies = new Map<number, Sample[]>();
  for (const s of samples) {
    const copies = Number(s.metadata.num_parallel_copies);
    if (!Number.isInteger(copies) || copies <= 0) {
      throw new ParseError('PKB_PARSE', `"${s.metric}": no num_parallel_copies in its metadata`, {
        hint: "PKB's unixbench benchmark labels every sample with num_parallel_copies; this is not its output",
        location: { file: path, line: s.line, field: 'num_parallel_copies' },
      });
    }
    byCopies.set(copies, [...(byCopies.get(copies) ?? []), s]);
  }
  const passes: UnixBenchPass[] = [];
  const checks: UnixBenchCheck[] = [];
  for (const [copies, ps] of [...byCopies].sort((a, b) => a[0] - b[0])) {
    const label = `${copies} ${copies === 1 ? 'copy' : 'copies'}`;
    const tests: UnixBenchTestResult[] = [];
    const rows: UnixBenchIndexRow[] = [];
    let score: number | undefined;
    for (const s of ps) {
      if (s.metric === INDEX_SCORE) {
        score = s.value;
      } else if (s.metric.endsWith(':score')) {
        const test = s.metric.slice(0, -':score'.length);
        const baseline = Number(s.metadata.baseline);
        const index = Number(s.metadata.index);
        if (!Number.isFinite(index)) {
          throw new ParseError('PKB_PARSE', `"${s.metric}": no index in its metadata`, { location: { file: path, line: s.line, field: 'index' } });
        }
        rows.push({ name: test, baseline: Number.isFinite(baseline) ? baseline : null, result: s.value, index });
        const known = BASELINES_5_1_3[test];
        if (known && Number.isFinite(baseline) && known.baseline !== baseline) {
          findings.push(`${label}: ${test}: baseline ${baseline} is not UnixBench 5.1.3's ${known.baseline}`);
        }
      } else {
        const seconds = Number.parseFloat(s.metadata.time ?? '');
        tests.push({ name: s.metric, value: s.value, unit: s.unit, seconds: Number.isFinite(seconds) ? seconds : 0, samples: Number(s.metadata.samples) || 0 });
      }
    }
    rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const pass: UnixBenchPass = { copies, cpusInSystem: Number(samples[0]!.metadata.num_cpus) || 0, runLine: '', tests, empty: tests.length === 0 && rows.length === 0 };
    if (rows.length > 0) {
      if (score === undefined) {
        findings.push(`${label}: index values but no "${INDEX_SCORE}" sample; the pass is shown without a score`);
      } else {
        const missing = missingIndexTests({ partial: false, rows, score });
        pass.index = { partial: missing.length > 0, rows, score };
        checks.push(...printedIndexChecks(label, pass.index));
        if (missing.length > 0) {
          findings.push(`${label}: ${rows.length} of the 12 index tests (missing: ${missing.join(', ')}); its Index Score covers only those`);
        }
      }
    } else if (score !== undefined) {
      findings.push(`${label}: an Index Score (${score}) without its index values: it cannot be checked`);
    }
    passes.push(pass);
  }

  const env = samples[0]!.metadata;
  const conditions: Record<string, string> = {};
  for (const k of ENVIRONMENT_KEYS) if (env[k] !== undefined) conditions[k] = env[k]!;
  if (runUri) conditions.run_uri = runUri;
  findings.push(
    'UnixBench version not stated in the samples; PKB\'s unixbench package installs byte-unixbench tag v5.1.3' +
      (env.unixbench_all_cores === undefined ? ' (patched for more than 16 copies when run with --unixbench_all_cores, which the samples do not say)' : ''),
  );
  if (others > 0) findings.push(`${others} samples of other benchmarks in the file were left out`);
  const times = samples.map((s) => s.timestamp).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const when = (t: number | undefined): string => (t !== undefined ? new Date(t * 1000).toISOString() : '');
  const target = runUri ? `pkb-${runUri}` : 'pkb';
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    id: `${target.replace(/[^A-Za-z0-9._-]+/g, '-')}-r${n}`,
    runId: setName,
    target: { name: target, method: 'published', host: env.machine_type ?? env.cloud ?? 'unknown', label: runUri ? `PKB ${runUri}` : 'PKB' },
    workload: { name: 'unixbench', version: '5.1.3', options: {} },
    repetition: 1,
    status: 'ok',
    startedAt: when(times[0]),
    finishedAt: when(times[times.length - 1]),
    emulated: false,
    published: { source: `${PKB_TOOL} samples, ${basename(path)}`, conditions, tool: PKB_TOOL, file: basename(path), findings, ...(toolVersion ? { toolVersion } : {}) },
    unixbench: {
      version: '5.1.3',
      system: { hostname: '', system: '', os: env.os_info ?? env.os_type ?? '', kernelRelease: env.kernel_release ?? '', kernelVersion: '', machine: env.cpu_arch ?? '', language: '', cpus: [] },
      passes,
      checks,
    },
    rawFiles: [],
  };
}
