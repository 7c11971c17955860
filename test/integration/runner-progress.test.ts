import { describe, expect, it } from 'vitest';
import type { RunnerEvent } from '../../src/runner/progress/events.js';
import { RunClock, unixbenchSeconds } from '../../src/runner/progress/estimate.js';
import { jsonRenderer, plainRenderer, ttyRenderer } from '../../src/runner/progress/renderers.js';

/** The three progress outputs on the same event stream (what a run emits, in order). */
const events: RunnerEvent[] = [
  {
    type: 'plan', runId: 'r', runDir: '/tmp/vbt7-r', suite: 'local-quick', order: 'interleaved', seed: 7, repetitions: 1,
    targets: ['host', 'lxc'], hosts: ['local'], resumed: false, estimatedSeconds: 600,
    steps: [
      { resultId: 'lxc-r1', host: 'local', target: 'lxc', method: 'lxc', repetition: 1, done: false },
      { resultId: 'host-r1', host: 'local', target: 'host', method: 'host', repetition: 1, done: false },
    ],
  },
  { type: 'step', resultId: 'lxc-r1', host: 'local', target: 'lxc', step: 'provision', message: 'provisioning lxc guest lxc on local' },
  { type: 'progress', resultId: 'lxc-r1', host: 'local', event: { subject: 'lxc', step: 'run', message: 'dhry2reg (1 copy) pass 1/1, 7 test(s) left', test: 'dhry2reg', pass: { index: 1, total: 1 }, remainingSeconds: 170 } },
  { type: 'progress', resultId: 'lxc-r1', host: 'local', event: { subject: 'lxc', step: 'run', message: 'dhry2reg (1 copy) pass 1/1, 7 test(s) left', test: 'dhry2reg', pass: { index: 1, total: 1 }, remainingSeconds: 165 } },
  { type: 'status', elapsedSeconds: 75, remainingSeconds: 400, done: 0, failed: 0, total: 2 },
  { type: 'result', resultId: 'lxc-r1', host: 'local', target: 'lxc', status: 'ok', seconds: 200, score: 1234.5, scoreLabel: 'Index Score (partial)' },
  { type: 'finished', outcome: 'interrupted', runDir: 'results/r', ok: 1, failed: 0, missing: 1, elapsedSeconds: 210 },
];

function collect(make: (w: (t: string) => void) => (e: RunnerEvent) => void): string {
  let out = '';
  const sink = make((t) => (out += t));
  for (const e of events) sink(e);
  return out;
}

describe('progress output', () => {
  it('plain lines (CI): the plan, steps, each UnixBench test once, results, and how to resume', () => {
    const out = collect((w) => plainRenderer(w));
    expect(out).toContain('running suite local-quick: 2 target(s) x 1 repetition(s) on local; order interleaved (seed 7)');
    expect(out).toContain('local: lxc-r1 -> host-r1');
    expect(out.match(/dhry2reg/g)).toHaveLength(1);
    expect(out).toContain('[lxc-r1@local] done in 3m20s: Index Score (partial) 1234.5');
    expect(out).toContain('progress: 0/2 finished (0 failed), elapsed 1m15s, about 6m40s left');
    expect(out).toContain('resume:  virtbench run --resume results/r');
    expect(out).not.toContain('\x1b');
  });

  it('a terminal: a live line redrawn in place with the guest, step, test, pass, elapsed and remaining', () => {
    const out = collect((w) => ttyRenderer(w, { columns: () => 200 }));
    const redraws = out.split('\r\x1b[2K').filter(Boolean);
    const live = redraws.filter((l) => !l.endsWith('\n'));
    expect(live.some((l) => /0\/2 · 1m15s elapsed · ~6m40s left \| lxc-r1 run dhry2reg 1\/1/.test(l))).toBe(true);
    expect(out).toContain('[lxc-r1@local] done in 3m20s');
  });

  it('--json: one parseable object per line with a timestamp', () => {
    const lines = collect((w) => jsonRenderer(w)).trim().split('\n');
    expect(lines).toHaveLength(events.length);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((p) => p.type)).toEqual(events.map((e) => e.type));
    for (const p of parsed) expect(Date.parse(p.at)).not.toBeNaN();
  });
});

describe('estimates', () => {
  it('UnixBench time follows 5.1.3: long tests -i times, short ones (i+1)/3 times, one pass per copies', () => {
    // -i 1 -c 1 with the short profile: 5 x 10 s + 2 x 30 s, plus 1 s per test, +25% between passes.
    expect(unixbenchSeconds({ iterations: 1, copies: [1], tests: ['dhry2reg', 'whetstone-double', 'syscall', 'pipe', 'context1', 'spawn', 'execl'] }, 2)).toBe(Math.round(117 * 1.25));
    // Defaults on 2 CPUs: two passes of the index.
    expect(unixbenchSeconds({}, 2)).toBeCloseTo(2 * unixbenchSeconds({}, 1), -1);
  });

  it('remaining time: measured repetitions replace priors; hosts in parallel take the slowest', () => {
    const clock = new RunClock(new Map([['a', 100], ['b', 50]]));
    expect(clock.remainingSeconds([{ host: 'h1', target: 'a' }, { host: 'h2', target: 'b' }, { host: 'h2', target: 'b' }], new Map())).toBe(100);
    clock.record('a', 10);
    expect(clock.remainingSeconds([{ host: 'h1', target: 'a' }, { host: 'h2', target: 'b' }, { host: 'h2', target: 'b' }], new Map())).toBe(100);
    expect(clock.estimateFor('a')).toBe(10);
  });
});
