/**
 * UnixBench's raw files (report, .log, console output) parsed into one checked report, every
 * printed score recomputed.
 */
import { ParseError } from '../../core/errors.js';
import { normalizeConsole, type ConsoleRun } from './console.js';
import type { UnixBenchCheck, UnixBenchLogTest, UnixBenchPass, UnixBenchReport } from './model.js';
import { parseLog, type LogTestParsed, type ParsedLog } from './parse-log.js';
import { parseReport } from './parse-report.js';
import { check, indexGeometricMean, geometricMeanTolerance, halfUnitInLastPlace, indexValue } from './score.js';

export interface UnixBenchFiles {
  /** The text report (HOST-DATE-NN). May be empty when console output is given: its report is used. */
  report: string;
  log?: string;
  /** What ./Run printed: ends with the same report; holds "Run: ...; aborting" when it aborted. */
  console?: string;
  /** Console output of several runs: the run to parse (from splitConsoleRuns on the normalized text). */
  consoleRun?: ConsoleRun;
}

/** File names for messages; default: source, source + ".log", source + " (console)". */
export interface UnixBenchFileNames {
  report?: string;
  log?: string;
  console?: string;
}

const ABORT = /^Run: (.*); aborting\s*$/;
/** Printed with %.1f. */
const TENTH = 0.05;

/**
 * Parse one UnixBench 5.1.3 run: the report, and when given the .log (to recompute every score)
 * and the console output (to see an abort). Throws ParseError rather than return half a result.
 */
export function parseUnixBench(files: UnixBenchFiles, source: string, names: UnixBenchFileNames = {}): UnixBenchReport {
  const reportName = names.report ?? source;
  const logName = names.log ?? `${source}.log`;
  const consoleName = names.console ?? `${source} (console)`;

  const fromConsole = files.report.trim() === '' && files.console !== undefined;
  const run = files.consoleRun;
  if (fromConsole && run && run.reportAt === undefined) {
    throw new ParseError('UNIXBENCH_PARSE', `the run that starts at line ${run.from + 1} printed no report (a line of 72 "=" and the BYTE UNIX Benchmarks banner)`, {
      hint: 'the run aborted, was cut short or is still going',
      location: { file: consoleName, line: run.to },
    });
  }
  const consoleText = files.console !== undefined ? normalizeConsole(files.console) : undefined;
  const parsed = fromConsole
    ? parseReport(consoleText!, consoleName, { console: true, ...(run ? { reportAt: run.reportAt, end: run.to } : {}) })
    : parseReport(files.report, reportName);
  const log = files.log !== undefined ? parseLog(files.log, logName) : undefined;

  const report: UnixBenchReport = { version: parsed.version, system: parsed.system, passes: parsed.passes, checks: [] };

  const consoleAbort = consoleText !== undefined ? findAbort(consoleText, run) : undefined;
  if (consoleAbort) report.aborted = consoleAbort;
  else if (log?.error) {
    report.aborted = { message: `"${log.error.test}": ${log.error.message}`, line: log.error.line };
  }

  if (report.passes.length === 0 && !report.aborted) {
    throw new ParseError('UNIXBENCH_PARSE', 'expected a pass (a line of 72 "-" and "Benchmark Run: ...") after the system header, found the end of the file (truncated?)', {
      hint: 'a report with no pass comes from a run that aborted or is still going; give its console output or .log too',
      location: { file: fromConsole ? consoleName : reportName, line: parsed.endLine },
    });
  }
  if (log) {
    if (log.unfinished && !report.aborted) {
      throw new ParseError(
        'UNIXBENCH_PARSE',
        `the .log ends inside "${log.unfinished.test}" (${log.unfinished.copies} copies) with no result and no error`,
        {
          hint: 'the run was killed or is still going, or the .log was cut; keep the files and run the test again',
          location: { file: logName, line: log.unfinished.line },
        },
      );
    }
    report.log = { tests: log.tests.map(publicLogTest) };
    matchLogToReport(report, log, parsed.passLines, reportName, logName);
  }
  report.checks = computeChecks(report.passes, log);
  return report;
}

function findAbort(text: string, run?: ConsoleRun): { message: string; line: number } | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = run?.from ?? 0; i < (run?.to ?? lines.length); i++) {
    const m = ABORT.exec(lines[i]!);
    if (m) return { message: m[1]!, line: i + 1 };
  }
  return undefined;
}

function publicLogTest(t: LogTestParsed): UnixBenchLogTest {
  const { name, copies, iterations, printedScore, recomputedScore, passes, printedTime, printedIterations } = t;
  const out: UnixBenchLogTest = { name, copies, iterations, printedScore, recomputedScore };
  if (passes) out.passes = passes;
  if (printedTime !== undefined) out.printedTime = printedTime;
  if (printedIterations !== undefined) out.printedIterations = printedIterations;
  return out;
}

/**
 * Pair each report pass with its .log sections: the log lists tests in run order, one group per
 * pass; a new group starts when the copies change or a test repeats. Empty passes log nothing.
 */
function groupLog(tests: LogTestParsed[]): LogTestParsed[][] {
  const groups: LogTestParsed[][] = [];
  let cur: LogTestParsed[] | undefined;
  for (const t of tests) {
    if (!cur || cur[0]!.copies !== t.copies || cur.some((x) => x.name === t.name)) {
      cur = [];
      groups.push(cur);
    }
    cur.push(t);
  }
  return groups;
}

const logGroups = new WeakMap<UnixBenchPass, LogTestParsed[]>();

function matchLogToReport(report: UnixBenchReport, log: ParsedLog, passLines: number[], reportName: string, logName: string): void {
  const groups = groupLog(log.tests);
  const passes = report.passes.filter((p) => !p.empty);
  const mismatch = (what: string, line: number | undefined, file: string): ParseError =>
    new ParseError('UNIXBENCH_PARSE', `the report and the .log do not belong together: ${what}`, {
      hint: 'give the report and the .log of the same run (HOST-DATE-NN and HOST-DATE-NN.log)',
      location: { file, line },
    });
  for (let i = 0; i < passes.length; i++) {
    const pass = passes[i]!;
    const group = groups[i];
    const passLine = passLines[report.passes.indexOf(pass)];
    if (!group) {
      throw mismatch(`the .log has no results for the ${pass.copies}-copy pass`, passLine, reportName);
    }
    for (const t of pass.tests) {
      if (!group.some((g) => g.name === t.name && g.copies === pass.copies)) {
        throw mismatch(`"${t.name}" (${pass.copies} copies) is in the report but not in the .log`, passLine, reportName);
      }
    }
    logGroups.set(pass, group);
  }
  // Results logged beyond the report's passes: fine when the run aborted in that pass.
  const extra = groups.slice(passes.length);
  if (extra.length > 0 && !report.aborted) {
    const first = extra[0]![0]!;
    throw mismatch(`the .log has "${first.name}" (${first.copies} copies), which the report lacks (report cut short?)`, first.line, logName);
  }
}

function computeChecks(passes: UnixBenchPass[], log: ParsedLog | undefined): UnixBenchCheck[] {
  const checks: UnixBenchCheck[] = [];
  for (const pass of passes) {
    const label = `${pass.copies} ${pass.copies === 1 ? 'copy' : 'copies'}`;
    const group = log ? logGroups.get(pass) : undefined;
    const recomputed = new Map<string, number>();
    for (const t of pass.tests) {
      const lt = group?.find((g) => g.name === t.name);
      if (!lt) continue;
      recomputed.set(t.name, lt.recomputedScore);
      checks.push(check(`${label}: ${t.name}: .log score`, lt.printedScore, lt.recomputedScore, halfUnitInLastPlace(lt.printedScoreText)));
      checks.push(check(`${label}: ${t.name}: report score`, t.value, lt.recomputedScore, TENTH));
      if (lt.printedIterations !== undefined) {
        checks.push(check(`${label}: ${t.name}: samples`, t.samples, lt.printedIterations, 0));
      }
    }
    for (const table of [pass.index, ...(pass.otherIndexes ?? [])]) {
      if (!table) continue;
      const category = table.category ?? 'System Benchmarks';
      for (const row of table.rows) {
        if (row.baseline === null || row.result === null) continue;
        const exact = recomputed.get(row.name);
        // From the .log's unrounded score the index is exact; from the printed result it carries
        // the result's rounding (half a tenth, times 10 / baseline).
        checks.push(
          exact !== undefined
            ? check(`${label}: ${row.name}: index`, row.index, indexValue(exact, row.baseline), TENTH)
            : check(`${label}: ${row.name}: index`, row.index, indexValue(row.result, row.baseline), TENTH + (TENTH * 10) / row.baseline),
        );
        const printed = pass.tests.find((t) => t.name === row.name);
        if (printed) checks.push(check(`${label}: ${row.name}: index table result`, row.result, printed.value, 0));
      }
      const idx = table.rows.map((r) => r.index);
      checks.push(
        check(
          `${label}: ${category} Index Score${table.partial ? ' (Partial Only)' : ''}`,
          table.score,
          indexGeometricMean(idx),
          TENTH + geometricMeanTolerance(idx, idx.map(() => TENTH)),
        ),
      );
      const exactIdx = table.rows.map((r) => {
        const e = recomputed.get(r.name);
        return e !== undefined && r.baseline !== null ? indexValue(e, r.baseline) : undefined;
      });
      if (exactIdx.every((v) => v !== undefined)) {
        checks.push(check(`${label}: ${category} Index Score from the .log`, table.score, indexGeometricMean(exactIdx as number[]), TENTH));
      }
    }
  }
  return checks;
}
