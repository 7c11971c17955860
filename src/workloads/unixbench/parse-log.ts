/**
 * The .log UnixBench 5.1.3 writes beside its report: for each test and copies count a section
 * (runBenchmark), each pass's copies as "# KEY: value" blocks (runOnePass), then the combined
 * result (">>>> score: ..."). Test programs write their own output into it too; that is skipped.
 */
import type { UnixBenchLogTest } from './model.js';
import { LineCursor, parseNumber } from './parse-lines.js';
import { combinePasses, passScore, type CombinedPass } from './score.js';

export interface LogTestParsed extends UnixBenchLogTest {
  /** Line of the section's "####...####" line and of ">>>> score:". */
  line: number;
  scoreLine: number;
  /** The printed ">>>> score:" text, for its precision. */
  printedScoreText: string;
  printedTimeText: string;
  /** Counts listed as "*Dump score:" (dropped) in the log. */
  dumpedCounts: number[];
}

export interface ParsedLog {
  tests: LogTestParsed[];
  /** A test program failed ("# ERROR: ..."): Run aborted right after logging it. */
  error?: { test: string; copies: number; message: string; line: number };
  /** The last section has no result and no error: the run was killed, or the log is cut. */
  unfinished?: { test: string; copies: number; line: number };
}

const SECTION = /^#{56}\s*$/;
const LOG_HINT =
  'give the .log UnixBench 5.1.3 writes beside its report (HOST-YYYY-MM-DD-NN.log); a run that is still ' +
  'going or was cut short leaves a truncated log';

function isSection(line: string): boolean {
  return line.charCodeAt(0) === 35 && SECTION.test(line);
}

interface CopyBlock {
  fields: Map<string, string>;
  line: number;
}

export function parseLog(text: string, file: string): ParsedLog {
  const c = new LineCursor(text, file, LOG_HINT);
  const out: ParsedLog = { tests: [] };
  c.skipBlank();
  if (c.atEnd) throw c.error('a test section starting with a line of 56 "#"');
  while (!c.atEnd) {
    if (out.error || out.unfinished) {
      const at = out.error?.line ?? out.unfinished!.line;
      throw c.error(`nothing after the unfinished test section at line ${at}`);
    }
    const sectionLine = c.lineNumber;
    c.expect(SECTION, 'a test section starting with a line of 56 "#"');
    const head = c.expect(/^(.*) -- (\d+) cop(?:y|ies)\s*$/, 'the "TEST NAME -- N copies" line');
    const name = head[1]!;
    const copies = Number(head[2]);
    c.expect(/^==> /, 'the "==> COMMAND" line');

    const passes: CombinedPass[] = [];
    const units: string[] = [];
    const dumpedCounts: number[] = [];
    let blocks: CopyBlock[] | undefined;
    let result: { score: string; time: string; iterations: string; scoreLine: number } | undefined;
    let error: { message: string; line: number } | undefined;

    const closePass = (passNo: number): void => {
      if (!blocks) return;
      const b = blocks;
      blocks = undefined;
      if (b.length === 0) return; // pass still running when the log ended
      const errored = b.find((x) => x.fields.has('ERROR'));
      if (errored) {
        error = { message: errored.fields.get('ERROR')!, line: errored.line };
        return;
      }
      if (b.length !== copies) throw c.error(`${copies} copy result blocks ("# COUNT0: ...") in pass ${passNo}, found ${b.length}`, b[b.length - 1]!.line);
      passes.push(combineCopies(c, b));
      units.push(b[0]!.fields.get('COUNT2') ?? '');
    };

    let passNo = 0;
    let inBlock = false;
    while (!c.atEnd && !isSection(c.peek()!)) {
      const lineNo = c.lineNumber;
      const line = c.next()!;
      // Fast path: lines Run writes start with "#", "*" or ">"; the rest is program output.
      const first = line.charCodeAt(0);
      if (first !== 35 && first !== 42 && first !== 62) {
        inBlock = false;
        continue;
      }
      const kv = /^# (\w+): ?(.*)$/.exec(line);
      if (kv && blocks) {
        if (!inBlock) blocks.push({ fields: new Map(), line: lineNo });
        blocks[blocks.length - 1]!.fields.set(kv[1]!, kv[2]!);
        inBlock = true;
        continue;
      }
      inBlock = false;
      const pass = /^#### Pass (\d+)\s*$/.exec(line);
      if (pass) {
        closePass(passNo);
        if (Number(pass[1]) !== passNo + 1) throw c.error(`"#### Pass ${passNo + 1}"`, lineNo);
        passNo++;
        blocks = [];
        continue;
      }
      const dump = /^\*Dump score:\s+(\S+)\s*$/.exec(line);
      if (dump) {
        dumpedCounts.push(Number(dump[1]));
        continue;
      }
      if (/^>>>> (?:Results of 1 copy|Sum of \d+ copies)\s*$/.test(line)) {
        closePass(passNo);
        const scoreLine = c.lineNumber;
        const score = c.expect(/^>>>> score: (.*?)\s*$/, 'the ">>>> score: X" line')[1]!;
        const time = c.expect(/^>>>> time: (.*?)\s*$/, 'the ">>>> time: X" line')[1]!;
        const iterations = c.expect(/^>>>> iterations: (.*?)\s*$/, 'the ">>>> iterations: N" line')[1]!;
        if (parseNumber(score) === undefined) throw c.error('a number after ">>>> score:"', scoreLine);
        if (parseNumber(time) === undefined) throw c.error('a number after ">>>> time:"', scoreLine + 1);
        if (!/^\d+$/.test(iterations)) throw c.error('a whole number after ">>>> iterations:"', scoreLine + 2);
        result = { score, time, iterations, scoreLine };
        continue;
      }
      // Anything else is the test program's own output.
    }
    closePass(passNo);

    if (error) {
      out.error = { test: name, copies, message: error.message, line: error.line };
      continue;
    }
    if (!result) {
      out.unfinished = { test: name, copies, line: sectionLine };
      continue;
    }
    if (passes.length === 0) throw c.error(`at least one "#### Pass 1" in the section of "${name}" at line ${sectionLine}`, result.scoreLine - 1);
    const combined = combinePasses(passes);
    out.tests.push({
      name,
      copies,
      iterations: passes.map(passScore),
      printedScore: Number(result.score),
      recomputedScore: combined.score,
      passes: passes.map((p, i) => ({ ...p, unit: units[i]! })),
      printedTime: Number(result.time),
      printedIterations: Number(result.iterations),
      line: sectionLine,
      scoreLine: result.scoreLine,
      printedScoreText: result.score,
      printedTimeText: result.time,
      dumpedCounts,
    });
  }
  return out;
}

/** runOnePass: COUNT0 summed over the copies, time = mean of (TIME || elapsed), COUNT1 of copy 0. */
function combineCopies(c: LineCursor, blocks: CopyBlock[]): CombinedPass {
  let count = 0;
  let time = 0;
  for (const b of blocks) {
    const num = (key: string): number => {
      const raw = b.fields.get(key);
      const n = raw === undefined ? undefined : parseNumber(raw);
      if (n === undefined) throw c.error(`a number in "# ${key}: ..." of the copy block`, b.line);
      return n;
    };
    count += num('COUNT0');
    // Perl's `$TIME || $elapsed`: a TIME of "0" or "" falls back to elapsed.
    const rawTime = b.fields.get('TIME');
    time += rawTime !== undefined && rawTime !== '' && rawTime !== '0' ? num('TIME') : num('elapsed');
    num('COUNT1');
  }
  const first = blocks[0]!;
  return { count, time: time / blocks.length, timebase: Number(first.fields.get('COUNT1')) };
}
