/**
 * UnixBench 5.1.3's run plan and its progress, read from the .log it appends to while running
 * (the console output is block-buffered by Perl when redirected, so it only shows at the end).
 * Durations are 5.1.3's own: each pass runs the program for the time in its options, after
 * `sync; sleep 1; sync; sleep 2`.
 */
import { CATEGORIES, expandTests, UNIXBENCH_TESTS } from './catalogue.js';

/** Seconds of `sync; sleep 1; sync; sleep 2` plus start-up around each pass. */
const PASS_OVERHEAD = 3.3;

export interface PlannedTest {
  test: string;
  logmsg: string;
  copies: number;
  passes: number;
  seconds: number;
}

/** Iteration counts as Run computes them from -i. */
export function iterationCounts(iterations?: number): { long: number; short: number } {
  if (!iterations) return { long: 10, short: 3 };
  return { long: iterations, short: Math.max(1, Math.floor((iterations + 1) / 3)) };
}

/** Expand tests/groups into the order Run runs them, per copies value, skipping copies > maxCopies. */
export function planRun(opts: { tests?: string[]; copies: number[]; iterations?: number }): PlannedTest[] {
  const names = expandTests(opts.tests);
  const counts = iterationCounts(opts.iterations);
  const plan: PlannedTest[] = [];
  for (const copies of opts.copies) {
    for (const test of names) {
      const info = UNIXBENCH_TESTS[test];
      if (!info || copies > CATEGORIES[info.category].maxCopies) continue;
      const passes = info.repeat === 'long' ? counts.long : counts.short;
      plan.push({ test, logmsg: info.logmsg, copies, passes, seconds: passes * (info.seconds + PASS_OVERHEAD) });
    }
  }
  return plan;
}

export interface RunProgress {
  /** Index into the plan of the test running now (plan.length when all are done). */
  current: number;
  test?: string;
  copies?: number;
  pass?: { index: number; total: number };
  testsLeft: number;
  elapsedSeconds: number;
  remainingSeconds: number;
  fraction: number;
}

/**
 * Fold the .log text seen so far into progress. Headers look like
 * "Dhrystone 2 using register variables -- 1 copy", passes "#### Pass 3", a finished test ">>>> score: ...".
 */
export class LogFollower {
  private buf = '';
  private current = -1;
  private pass = 0;
  private finished = 0;
  private testStartedAt = 0;
  constructor(readonly plan: PlannedTest[], private readonly startedAt: number) {}

  feed(text: string, now = Date.now()): void {
    this.buf += text;
    const lines = this.buf.split('\n');
    this.buf = lines.pop() ?? '';
    for (const line of lines) {
      const head = / -- (\d+) cop(?:y|ies)$/.exec(line);
      if (head) {
        const msg = line.slice(0, head.index);
        const copies = Number(head[1]);
        const idx = this.plan.findIndex((p, i) => i > this.current && p.logmsg === msg && p.copies === copies);
        this.current = idx >= 0 ? idx : this.current + 1;
        this.pass = 0;
        this.testStartedAt = now;
        continue;
      }
      const pass = /^#### Pass (\d+)/.exec(line);
      if (pass) {
        this.pass = Number(pass[1]);
        continue;
      }
      if (line.startsWith('>>>> score:')) this.finished = Math.max(this.finished, this.current + 1);
    }
  }

  /** True once at least one test has begun (the first pass header has been logged). */
  get started(): boolean {
    return this.current >= 0;
  }

  progress(now = Date.now()): RunProgress {
    const elapsed = (now - this.startedAt) / 1000;
    const cur = this.plan[this.current];
    const total = this.plan.reduce((s, p) => s + p.seconds, 0);
    let left = this.plan.slice(Math.max(this.finished, this.current + 1)).reduce((s, p) => s + p.seconds, 0);
    if (cur && this.finished <= this.current) left += Math.max(0, cur.seconds - (now - this.testStartedAt) / 1000);
    return {
      current: Math.max(0, this.current),
      test: cur?.test,
      copies: cur?.copies,
      pass: cur && this.pass ? { index: this.pass, total: cur.passes } : undefined,
      testsLeft: this.plan.length - this.finished,
      elapsedSeconds: Math.round(elapsed),
      remainingSeconds: Math.round(left),
      fraction: total > 0 ? Math.min(1, Math.max(0, 1 - left / total)) : 0,
    };
  }
}
