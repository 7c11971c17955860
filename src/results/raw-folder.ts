/**
 * A folder of raw UnixBench 5.1.3 output as UnixBench writes it: the report HOST-YYYY-MM-DD-NN,
 * its .log and .html, and optionally the console output (console.stdout.txt). Each report is
 * one result of method "host", named after the folder.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { looksLikeConsole, normalizeConsole, splitConsoleRuns } from '../workloads/unixbench/console.js';
import { parseUnixBench } from '../workloads/unixbench/parse.js';
import type { UnixBenchPass, UnixBenchReport } from '../workloads/unixbench/model.js';
import { RESULT_SCHEMA_VERSION, type ResultDoc } from './model.js';
import { checkMeasuredValues } from './schema.js';

export const REPORT_NAME = /^.+-\d{4}-\d{2}-\d{2}-\d{2,}$/;
export const CONSOLE_NAMES = ['console.stdout.txt', 'console.txt', 'stdout.txt'];

export async function findRawReports(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  const reports: string[] = [];
  for (const n of names.sort()) {
    if (REPORT_NAME.test(n) && (await stat(join(dir, n))).isFile()) reports.push(n);
  }
  return reports;
}

/** The console output file of a folder, if it has one. */
export async function findConsoleFile(dir: string): Promise<string | undefined> {
  const names = new Set(await readdir(dir));
  for (const n of CONSOLE_NAMES) if (names.has(n) && (await stat(join(dir, n))).isFile()) return n;
  return undefined;
}

/** A folder holding UnixBench reports or console output. */
export async function hasRawOutput(dir: string): Promise<boolean> {
  return (await findRawReports(dir)).length > 0 || (await findConsoleFile(dir)) !== undefined;
}

/**
 * Parse every report in the folder; with no report, every run in its console output (one result
 * per run). Throws (ParseError) on the first one that does not parse.
 */
export async function readRawFolder(dir: string, opts: { target?: string; runId?: string } = {}): Promise<ResultDoc[]> {
  const names = new Set(await readdir(dir));
  const reports = await findRawReports(dir);
  const consoleName = await findConsoleFile(dir);
  const target = opts.target ?? sanitize(basename(dir));
  const ctx = { target, runId: opts.runId ?? target };
  if (reports.length === 0) {
    if (!consoleName) {
      throw new InputError('NO_UNIXBENCH_OUTPUT', `no UnixBench report (HOST-YYYY-MM-DD-NN) and no console output (${CONSOLE_NAMES.join(', ')}) in ${dir}`, {
        location: { file: dir },
      });
    }
    return consoleDocs(join(dir, consoleName), ctx, 0);
  }
  const docs: ResultDoc[] = [];
  for (const report of reports) {
    const path = join(dir, report);
    const raw = [report];
    const text = await readFile(path, 'utf8');
    // A file under a report's name that holds what ./Run printed (it starts with the build or the ASCII banner).
    if (looksLikeConsole(text)) {
      docs.push(...(await consoleDocs(path, ctx, docs.length)));
      continue;
    }
    const i = docs.length;
    const log = names.has(`${report}.log`) ? await readFile(`${path}.log`, 'utf8') : undefined;
    if (log !== undefined) raw.push(`${report}.log`);
    if (names.has(`${report}.html`)) raw.push(`${report}.html`);
    // The console output belongs to one run: use it only when the folder holds one report.
    const console = consoleName && reports.length === 1 ? await readFile(join(dir, consoleName), 'utf8') : undefined;
    if (console !== undefined) raw.push(consoleName!);
    const ub = parseUnixBench({ report: text, log, console }, path, { console: consoleName ? join(dir, consoleName) : undefined });
    checkMeasuredValues(ub, path);
    docs.push(resultDoc(ub, ctx, i + 1, (await stat(path)).mtime, raw));
  }
  return docs;
}

/** One result per run in a console output file; numbering continues after `before` results. */
async function consoleDocs(path: string, ctx: { target: string; runId: string }, before: number): Promise<ResultDoc[]> {
  const text = await readFile(path, 'utf8');
  const runs = splitConsoleRuns(normalizeConsole(text));
  if (runs.length === 0) {
    throw new InputError('NO_UNIXBENCH_OUTPUT', `${path} holds no UnixBench run (no ASCII banner, no "BYTE UNIX Benchmarks" report)`, {
      hint: 'give what ./Run printed, or the report HOST-YYYY-MM-DD-NN with its .log',
      location: { file: path },
    });
  }
  const mtime = (await stat(path)).mtime;
  return runs.map((run, k) => {
    const ub = parseUnixBench({ report: '', console: text, consoleRun: run }, path, { console: path });
    return resultDoc(ub, ctx, before + k + 1, mtime, [basename(path)]);
  });
}

function resultDoc(ub: UnixBenchReport, ctx: { target: string; runId: string }, repetition: number, mtime: Date, raw: string[]): ResultDoc {
  const times = passTimes(ub.passes, mtime);
  const doc: ResultDoc = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    id: `${ctx.target}-r${repetition}`,
    runId: ctx.runId,
    target: { name: ctx.target, method: 'host', host: ub.system.hostname || 'local' },
    workload: { name: 'unixbench', version: ub.version, options: {} },
    repetition,
    status: ub.aborted ? 'failed' : 'ok',
    startedAt: times.start,
    finishedAt: times.end,
    emulated: false,
    unixbench: ub,
    rawFiles: [...new Set(raw)].sort(),
  };
  if (ub.aborted) doc.error = { code: 'UNIXBENCH_ABORTED', message: `Run: ${ub.aborted.message}; aborting` };
  return doc;
}

/** Start and end from the "Benchmark Run:" lines when their date is English; else the file time. */
function passTimes(passes: UnixBenchPass[], mtime: Date): { start: string; end: string } {
  const fallback = mtime.toISOString();
  const first = passes[0];
  const last = passes[passes.length - 1];
  const parse = (line: string | undefined, which: 1 | 2): string | undefined => {
    const m = line ? /^Benchmark Run: (\w{3} \w{3} \d{1,2} \d{4}) (\d\d:\d\d:\d\d) - (\d\d:\d\d:\d\d)/.exec(line) : null;
    if (!m) return undefined;
    const d = new Date(`${m[1]} ${which === 1 ? m[2] : m[3]}`);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  };
  return { start: parse(first?.runLine, 1) ?? fallback, end: parse(last?.runLine, 2) ?? fallback };
}

function sanitize(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return s || 'unixbench';
}
