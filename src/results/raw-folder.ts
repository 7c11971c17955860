import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { parseUnixBench } from '../workloads/unixbench/parse.js';
import type { UnixBenchPass } from '../workloads/unixbench/model.js';
import { RESULT_SCHEMA_VERSION, type ResultDoc } from './model.js';

/**
 * A folder of raw UnixBench 5.1.3 output as UnixBench writes it: the report HOST-YYYY-MM-DD-NN,
 * its .log and .html, and optionally the console output (console.stdout.txt). Each report is
 * one result of method "host", named after the folder.
 */
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

/** Parse every report in the folder. Throws (ParseError) on the first one that does not parse. */
export async function readRawFolder(dir: string, opts: { target?: string; runId?: string } = {}): Promise<ResultDoc[]> {
  const names = new Set(await readdir(dir));
  const reports = await findRawReports(dir);
  if (reports.length === 0) {
    throw new InputError('NO_UNIXBENCH_OUTPUT', `no UnixBench report (HOST-YYYY-MM-DD-NN) in ${dir}`, { location: { file: dir } });
  }
  const consoleName = CONSOLE_NAMES.find((n) => names.has(n));
  const target = opts.target ?? sanitize(basename(dir));
  const docs: ResultDoc[] = [];
  for (const [i, report] of reports.entries()) {
    const path = join(dir, report);
    const raw = [report];
    const text = await readFile(path, 'utf8');
    const log = names.has(`${report}.log`) ? await readFile(`${path}.log`, 'utf8') : undefined;
    if (log !== undefined) raw.push(`${report}.log`);
    if (names.has(`${report}.html`)) raw.push(`${report}.html`);
    // The console output belongs to one run: use it only when the folder holds one report.
    const console = consoleName && reports.length === 1 ? await readFile(join(dir, consoleName), 'utf8') : undefined;
    if (console !== undefined) raw.push(consoleName!);
    const ub = parseUnixBench({ report: text, log, console }, path, { console: consoleName ? join(dir, consoleName) : undefined });
    const mtime = (await stat(path)).mtime;
    const times = passTimes(ub.passes, mtime);
    const doc: ResultDoc = {
      schemaVersion: RESULT_SCHEMA_VERSION,
      id: `${target}-r${i + 1}`,
      runId: opts.runId ?? target,
      target: { name: target, method: 'host', host: ub.system.hostname || 'local' },
      workload: { name: 'unixbench', version: ub.version, options: {} },
      repetition: i + 1,
      status: ub.aborted ? 'failed' : 'ok',
      startedAt: times.start,
      finishedAt: times.end,
      emulated: false,
      unixbench: ub,
      rawFiles: raw.sort(),
    };
    if (ub.aborted) doc.error = { code: 'UNIXBENCH_ABORTED', message: `Run: ${ub.aborted.message}; aborting` };
    docs.push(doc);
  }
  return docs;
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
