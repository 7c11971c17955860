/**
 * The text report UnixBench 5.1.3 writes (results/HOST-DATE-NN), and the same report at the end
 * of what `./Run` prints on the console. Formats are those of Run's displaySystem, summarizeRun,
 * logResults and logIndexCat.
 */
import type { UnixBenchCpu, UnixBenchIndexRow, UnixBenchIndexTable, UnixBenchPass, UnixBenchSystem, UnixBenchTestResult } from './model.js';
import { LineCursor, parseNumber } from './parse-lines.js';
import { BASELINES_5_1_3, SYSTEM_CATEGORY } from './catalogue.js';

export interface ParsedReport {
  version: string;
  system: UnixBenchSystem;
  passes: UnixBenchPass[];
  /** Line (1-based) where each pass's "------" line is, for messages. */
  passLines: number[];
  /** Each pass's index tables with the line of their score, for messages. */
  indexLines: Map<UnixBenchIndexTable, number>;
  /** Line after the last line read: where more was expected when there are no passes. */
  endLine: number;
}

const REPORT_HINT =
  'give the UnixBench 5.1.3 text report (the file named HOST-YYYY-MM-DD-NN in its results directory); ' +
  'a run that is still going or was cut short leaves a truncated report';

export const BANNER = /^\s*BYTE UNIX Benchmarks \(Version ([^)\s]+)\)\s*$/;
const RULE = /^-{72}\s*$/;
export const CONSOLE_RULE = /^={72}\s*$/;

/**
 * Where the report starts in console output: the last banner that follows Run's "=====" line.
 * Undefined when the console output holds no report (the run aborted or is still going).
 */
export function findReportInConsole(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = lines.length - 1; i > 0; i--) {
    if (BANNER.test(lines[i]!) && CONSOLE_RULE.test(lines[i - 1]!)) return i;
  }
  return undefined;
}

export interface ParseReportOptions {
  console?: boolean;
  /** Console output of several runs: the 0-based line of this run's report banner, and where its run ends. */
  reportAt?: number;
  end?: number;
}

export function parseReport(text: string, file: string, opts: ParseReportOptions = {}): ParsedReport {
  let start = 0;
  if (opts.console) {
    const at = opts.reportAt ?? findReportInConsole(text);
    if (at === undefined) {
      const c = new LineCursor(text, file, 'the console output of a finished ./Run ends with the report');
      throw c.error('the report after a line of 72 "=" (BYTE UNIX Benchmarks banner)', c.lines.length + 1);
    }
    start = at;
  }
  const c = new LineCursor(text, file, REPORT_HINT, start, opts.end);
  if (!opts.console) c.skipBlank();
  const version = c.expect(BANNER, 'the banner "BYTE UNIX Benchmarks (Version 5.1.3)"')[1]!;
  c.expectBlank();
  const system = parseSystem(c);
  c.skipBlank();
  const passes: UnixBenchPass[] = [];
  const passLines: number[] = [];
  const indexLines = new Map<UnixBenchIndexTable, number>();
  // Console output may go on after the report (whatever the caller printed next).
  while (!c.atEnd && (!opts.console || RULE.test(c.peek()!))) {
    passLines.push(c.lineNumber);
    passes.push(parsePass(c, indexLines, opts.console === true));
    c.skipBlank();
  }
  return { version, system, passes, passLines, indexLines, endLine: c.lineNumber };
}

function parseSystem(c: LineCursor): UnixBenchSystem {
  const sys = c.expect(/^\s*System: ([^:]*):\s?(.*?)\s*$/, 'the "System: HOST: SYSTEM" line');
  const osLine = c.expect(/^\s*OS: (.*)$/, 'the "OS: OS -- RELEASE -- VERSION" line');
  const osParts = osLine[1]!.split(' -- ');
  if (osParts.length < 3) throw c.error('"OS: OS -- RELEASE -- VERSION" with two " -- " separators', c.lineNumber - 1);
  const mach = c.expect(/^\s*Machine: (.*?)(?: \((.*)\))?\s*$/, 'the "Machine: ARCH (PLATFORM)" line');
  const lang = c.expect(/^\s*Language: (.*?)\s*$/, 'the "Language: ..." line');
  const cpus: UnixBenchCpu[] = [];
  if (/^\s*CPU: no details available\s*$/.test(c.peek() ?? '')) {
    c.next();
  } else {
    while (/^\s*CPU \d+: /.test(c.peek() ?? '')) {
      const m = c.expect(/^\s*CPU (\d+): (.*?)(?: \(([\d.]+) bogomips\))?\s*$/, 'a "CPU N: MODEL (X bogomips)" line');
      const flags = c.expect(/^(?: {4,}|\t)\s*(.*?)\s*$/, "the CPU's feature line (indented 10 spaces)")[1]!;
      const cpu: UnixBenchCpu = { index: Number(m[1]), model: m[2]!, features: flags ? flags.split(', ') : [] };
      if (m[3] !== undefined) cpu.bogomips = Number(m[3]);
      cpus.push(cpu);
    }
    if (cpus.length === 0) throw c.error('"CPU 0: MODEL (X bogomips)" or "CPU: no details available"');
  }
  if (/^\s*Graphics: /.test(c.peek() ?? '')) c.next();
  const uptime = c.expect(/^\s*(.*; runlevel .*?)\s*$/, 'the uptime line ("... load average: ...; runlevel N")');
  const system: UnixBenchSystem = {
    hostname: sys[1]!,
    system: sys[2]!,
    os: osParts[0]!.trim(),
    kernelRelease: osParts[1]!.trim(),
    kernelVersion: osParts.slice(2).join(' -- ').trim(),
    machine: mach[1]!,
    language: lang[1]!,
    cpus,
    uptimeLine: uptime[1]!,
  };
  if (mach[2] !== undefined) system.platform = mach[2];
  return system;
}

const RESULT_LINE = /^(.+?)\s+(-?\d+\.\d)\s+(?:(\S+)\s+)?\((-?\d+\.\d) s, (\d+) samples?\)\s*$/;
const INDEX_HEAD = /^(.+?) (Index Values|Partial Index)\s+BASELINE\s+RESULT\s+INDEX\s*$/;
const INDEX_ROW = /^(.+?)\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+\.\d)\s*$/;
const UNINDEXED_ROW = /^(.+?)\s+---\s+(-?\d+\.\d)\s+---\s*$/;
const INDEX_RULE = /^\s+========\s*$/;
/** 5.1.3 runs no test of the system category above this many copies (an empty pass). */
const MAX_COPIES = 16;

function parsePass(c: LineCursor, indexLines: Map<UnixBenchIndexTable, number>, inConsole: boolean): UnixBenchPass {
  c.expect(RULE, 'the line of 72 "-" that starts a pass');
  const runLine = c.expect(/^(Benchmark Run: .*?)\s*$/, 'the "Benchmark Run: DATE START - END" line')[1]!;
  const head = c.expect(
    /^(\d+|unknown) CPUs? in system; running (\d+) parallel cop(?:y|ies) of tests\s*$/,
    'the "N CPUs in system; running M parallel copies of tests" line',
  );
  const headLine = c.lineNumber - 1;
  const copies = Number(head[2]);
  if (!c.atEnd) c.expectBlank();

  const tests: UnixBenchTestResult[] = [];
  while (!c.atEnd && !/^\s*$/.test(c.peek()!)) {
    const m = c.expect(RESULT_LINE, 'a test result "NAME  VALUE UNIT (T s, N samples)" or an empty line');
    tests.push({ name: m[1]!, value: Number(m[2]), unit: m[3] ?? '', seconds: Number(m[4]), samples: Number(m[5]) });
  }
  const pass: UnixBenchPass = {
    copies,
    cpusInSystem: head[1] === 'unknown' ? 0 : Number(head[1]),
    runLine,
    tests,
    empty: tests.length === 0,
  };
  if (tests.length === 0) {
    // Only the >16-copies rule empties a pass; anything else is a report cut short.
    if (copies <= MAX_COPIES) throw c.error(`the test results of the ${copies}-copy pass that starts at line ${headLine - 2}`);
    return pass;
  }
  if (c.atEnd) throw c.error('the empty line after the test results');
  c.expectBlank();

  const tables: UnixBenchIndexTable[] = [];
  while (!c.atEnd && !RULE.test(c.peek()!)) {
    if (/^\s*$/.test(c.peek()!)) {
      c.next();
      continue;
    }
    if (/^No index results available for /.test(c.peek()!)) {
      c.next();
      continue;
    }
    if (inConsole && !INDEX_HEAD.test(c.peek()!)) break;
    tables.push(parseIndexTable(c, indexLines));
  }
  const system = tables.find((t) => (t.category ?? SYSTEM_CATEGORY) === SYSTEM_CATEGORY);
  if (system) pass.index = system;
  const others = tables.filter((t) => t !== system);
  if (others.length > 0) pass.otherIndexes = others;

  // Every test with a baseline is indexed by Run; its table missing means the report was cut.
  const needed = new Set(tests.filter((t) => BASELINES_5_1_3[t.name]).map((t) => BASELINES_5_1_3[t.name]!.category));
  for (const category of needed) {
    if (!tables.some((t) => (t.category ?? SYSTEM_CATEGORY) === category)) {
      throw c.error(`the "${category} Index Values" (or "Partial Index") table of the pass at line ${headLine - 2}`);
    }
  }
  return pass;
}

function parseIndexTable(c: LineCursor, indexLines: Map<UnixBenchIndexTable, number>): UnixBenchIndexTable {
  const head = c.expect(INDEX_HEAD, 'an index table header "... Index Values  BASELINE  RESULT  INDEX", or the next pass');
  const category = head[1]!.trim();
  const partial = head[2] === 'Partial Index';
  const rows: UnixBenchIndexRow[] = [];
  const unindexed: { name: string; result: number }[] = [];
  while (!c.atEnd && !INDEX_RULE.test(c.peek()!)) {
    const line = c.peek()!;
    const u = UNINDEXED_ROW.exec(line);
    if (u) {
      c.next();
      unindexed.push({ name: u[1]!, result: Number(u[2]) });
      continue;
    }
    const m = c.expect(INDEX_ROW, 'an index row "NAME  BASELINE  RESULT  INDEX" or the "========" line');
    rows.push({ name: m[1]!, baseline: Number(m[2]), result: Number(m[3]), index: Number(m[4]) });
  }
  c.expect(INDEX_RULE, 'the "========" line under the index rows');
  const title = `${category} Index Score${partial ? ' (Partial Only)' : ''}`;
  const scoreLine = c.lineNumber;
  const m = c.expect(/^(.+?)\s+(\S+)\s*$/, `the "${title}" line`);
  const score = parseNumber(m[2]!);
  if (m[1] !== title || score === undefined) throw c.error(`"${title}" followed by a number`, scoreLine);
  if (rows.length === 0) throw c.error('at least one index row above the "========" line', scoreLine - 1);
  const table: UnixBenchIndexTable = { partial, rows, score };
  if (category !== SYSTEM_CATEGORY) table.category = category;
  if (unindexed.length > 0) table.unindexed = unindexed;
  indexLines.set(table, scoreLine);
  return table;
}
