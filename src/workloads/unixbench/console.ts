/**
 * UnixBench console output as people keep it: what `./Run` printed, pasted from an SSH session,
 * saved by a terminal (CR LF, `\r` progress), or logged by PerfKitBenchmarker (each log record
 * prefixed, the command's stdout after "STDOUT: "). Several runs may follow each other in one file.
 *
 * normalizeConsole keeps one output line per input line, so every line number in a message is
 * the line of the file as the user sees it.
 */
import { BANNER, CONSOLE_RULE } from './parse-report.js';

/** PKB's file log format (perfkitbenchmarker/log_util.py): "%(asctime)s RUN_URI %(threadName)s [LABEL ]FILE:LINE LEVEL MESSAGE". */
const PKB_PREFIX = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \S+ \S+ (?:\S+ )*?(?:\S+\.py:\d+ )?(?:DEBUG|INFO|WARNING|ERROR|CRITICAL) +/;
/** PKB's vm_util.IssueCommand logs a command's output as "STDOUT: <first line>" (then the rest unprefixed). */
const STDOUT_PREFIX = /^STDOUT: /;

export function normalizeConsoleLine(line: string): string {
  let s = line.endsWith('\r') ? line.slice(0, -1) : line;
  // A carriage return inside a line is progress redrawn in place: the terminal shows what follows the last one.
  const cr = s.lastIndexOf('\r');
  if (cr >= 0) s = s.slice(cr + 1);
  s = s.replace(PKB_PREFIX, '').replace(STDOUT_PREFIX, '');
  return s;
}

export function normalizeConsole(text: string): string {
  return text.split('\n').map(normalizeConsoleLine).join('\n');
}

/** The line "Version 5.1.3   Based on the Byte Magazine Unix Benchmark" under the ASCII banner: one per ./Run. */
const RUN_BANNER = /Based on the Byte Magazine Unix Benchmark/;

export interface ConsoleRun {
  /** 0-based line range [from, to) of the normalized text that belongs to this run. */
  from: number;
  to: number;
  /** 0-based line of the report's "BYTE UNIX Benchmarks" banner; undefined when the run printed none (aborted). */
  reportAt?: number;
}

/**
 * Split normalized console output into runs. A run starts at its ASCII banner; a report whose
 * run banner was not kept (output pasted from the "=====" line on) starts a run of its own.
 */
export function splitConsoleRuns(normalized: string): ConsoleRun[] {
  const lines = normalized.split('\n');
  const runs: ConsoleRun[] = [];
  let cur: ConsoleRun | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (RUN_BANNER.test(line)) {
      if (cur) cur.to = i;
      cur = { from: i, to: lines.length };
      runs.push(cur);
      continue;
    }
    if (BANNER.test(line) && i > 0 && CONSOLE_RULE.test(lines[i - 1]!)) {
      if (!cur || cur.reportAt !== undefined) {
        if (cur) cur.to = i - 1;
        cur = { from: i - 1, to: lines.length };
        runs.push(cur);
      }
      cur.reportAt = i;
    }
  }
  if (runs.length > 0) runs[0]!.from = 0;
  return runs;
}

/** True when the text is console output rather than a report file (which begins with the banner). */
export function looksLikeConsole(text: string): boolean {
  const first = text.split('\n').map(normalizeConsoleLine).find((l) => l.trim() !== '');
  if (first !== undefined && BANNER.test(first)) return false;
  return splitConsoleRuns(normalizeConsole(text)).length > 0;
}
