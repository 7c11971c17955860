import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe as suite, expect, it } from 'vitest';
import { learnedDurations } from '../../src/runner/progress/learned.js';
import { estimateRunSeconds } from '../../src/runner/progress/plan-estimate.js';
import { RunClock } from '../../src/runner/progress/estimate.js';
import { eventLine } from '../../src/runner/progress/text.js';
import type { RunState } from '../../src/runner/run-state.js';
import { scheduleFor, resultIdOf } from '../../src/suite/order.js';
import { parseSuite } from '../../src/suite/load.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const plan = parseSuite('workload: { unixbench: { profile: short } }\nrepetitions: 2\ntargets:\n  - { name: a, method: host }\n  - { name: b, method: lxc }\n', '/tmp/vb-learned.yaml');
const workload = { estimateSeconds: () => 100 } as unknown as Parameters<typeof estimateRunSeconds>[1];

function state(runId: string, seconds: Record<string, number>, p = plan): RunState {
  const schedule = Object.fromEntries(scheduleFor(p, 1));
  const steps = Object.fromEntries(Object.values(schedule).flat().map((st) => {
    const id = resultIdOf(st);
    return [id, seconds[id] !== undefined ? { resultId: id, status: 'ok', attempts: 1, seconds: seconds[id] } : { resultId: id, status: 'pending', attempts: 0 }];
  }));
  return { schemaVersion: 1, kind: 'virtbench-run', runId, createdAt: '2026-11-28T00:00:00Z', status: 'ok', suite: { file: '', text: '' }, plan: p, workload: { name: 'unixbench', version: '5.1.3', options: {} }, seed: 1, schedule, steps, keyPath: 'key', attempts: [] } as unknown as RunState;
}

suite('estimates that learn from earlier runs here', () => {
  it('uses the median step duration of earlier runs of the same targets and workload, else says it is a first guess', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vb-learned-'));
    dirs.push(root);
    expect((await learnedDurations(root, plan)).runs).toBe(0);
    const first = estimateRunSeconds(state('new', {}), workload);
    for (const [id, secs] of [['run-1', { 'a-r1': 100, 'a-r2': 120, 'b-r1': 300, 'b-r2': 280 }], ['run-2', { 'a-r1': 110, 'b-r1': 290 }]] as const) {
      await mkdir(join(root, id));
      await writeFile(join(root, id, 'run.json'), JSON.stringify(state(id, secs)));
    }
    // Another workload profile, and a damaged file: neither counts.
    const other = { ...plan, workload: { ...plan.workload, options: { ...plan.workload.options, iterations: 3 } } };
    await mkdir(join(root, 'run-other'));
    await writeFile(join(root, 'run-other', 'run.json'), JSON.stringify(state('run-other', { 'a-r1': 9999 }, other)));
    await mkdir(join(root, 'run-bad'));
    await writeFile(join(root, 'run-bad', 'run.json'), '{"kind": "virtbench-run", "plan": 3');
    const learned = await learnedDurations(root, plan);
    expect(learned.runs).toBe(2);
    expect(Object.fromEntries(learned.seconds)).toEqual({ a: 110, b: 290 });
    expect(estimateRunSeconds(state('new', {}), workload, learned.seconds)).toBe(2 * 110 + 2 * 290);
    expect(first).not.toBe(800);
  });

  it('counts what a step cost the run: its destroy (the gap to the next step) and the run end after the last step', async () => {
    // The timings of a real run here (LXC, -i 1 dhry2reg syscall, 2 repetitions): steps of 65 s and
    // 52 s by `seconds`, but the next step began 25 s after the first one's result (the destroy),
    // and the run ended 34 s after the second one's: 176 s in all, not 117.
    const root = await mkdtemp(join(tmpdir(), 'vb-learned-real-'));
    dirs.push(root);
    const lxcPlan = parseSuite('workload: { unixbench: { iterations: 1, copies: [1], tests: [dhry2reg, syscall] } }\nrepetitions: 2\ntargets:\n  - { name: lxc, method: lxc }\n', '/tmp/vb-learned-lxc.yaml');
    const st = state('real-1', { 'lxc-r1': 65.061, 'lxc-r2': 51.746 }, lxcPlan) as unknown as Record<string, any>;
    st.steps['lxc-r1'].startedAt = '2026-11-28T13:12:48.723Z';
    st.steps['lxc-r2'].startedAt = '2026-11-28T13:14:18.963Z';
    st.attempts = [{ startedAt: '2026-11-28T13:12:48.657Z', pid: 1, endedAt: '2026-11-28T13:15:45.007Z', outcome: 'ok' }];
    await mkdir(join(root, 'real-1'));
    await writeFile(join(root, 'real-1', 'run.json'), JSON.stringify(st));
    const learned = await learnedDurations(root, lxcPlan);
    // r1 cost 90.24 s (to r2's start); r2 cost 51.75 + the same 25.18 s destroy gap; the rest is the run's tail.
    expect(learned.seconds.get('lxc')).toBeCloseTo((90.24 + 51.746 + 25.179) / 2, 1);
    expect(learned.tailSeconds).toBeCloseTo(176.35 - 90.24 - 51.746 - 25.179 - 0.066, 1);
    const est = estimateRunSeconds(state('next', {}, lxcPlan), workload, learned.seconds, learned.tailSeconds);
    expect(est).toBeCloseTo(176.28, 0);
    // A run that recorded wallSeconds (the destroy included) is taken at its word.
    st.steps['lxc-r1'].wallSeconds = 80;
    st.steps['lxc-r2'].wallSeconds = 70;
    await writeFile(join(root, 'real-1', 'run.json'), JSON.stringify(st));
    expect((await learnedDurations(root, lxcPlan)).seconds.get('lxc')).toBe(75);
    // The same name with another CPU quota is another target: nothing learned from it.
    const limited = parseSuite('workload: { unixbench: { iterations: 1, copies: [1], tests: [dhry2reg, syscall] } }\nrepetitions: 2\ntargets:\n  - { name: lxc, method: lxc, limits: { cpuQuota: 0.1 } }\n', '/tmp/vb-learned-lxc.yaml');
    expect((await learnedDurations(root, limited)).runs).toBe(0);
  });

  it('the live "about X left" uses learned durations too, and says when it is only a first guess', () => {
    const clock = new RunClock(new Map([['a', 100], ['b', 300]]), new Map([['a', 50]]));
    expect(clock.estimateFor('a')).toBe(50);
    expect(clock.estimateFor('b')).toBe(300);
    expect(clock.basis([{ target: 'a' }], new Map())).toBe('learned');
    expect(clock.basis([{ target: 'a' }, { target: 'b' }], new Map())).toBe('first guess');
    clock.record('b', 200);
    expect(clock.basis([{ target: 'a' }, { target: 'b' }], new Map())).toBe('learned');
    clock.record('a', 60);
    expect(clock.basis([{ target: 'a' }], new Map())).toBe('measured');
    const line = (estimateBasis: 'first guess' | 'learned' | 'measured') => eventLine({ type: 'status', elapsedSeconds: 0, remainingSeconds: 176, estimateBasis, done: 0, failed: 0, total: 2 });
    expect(line('first guess')).toBe('progress: 0/2 finished (0 failed), elapsed 0s, about 2m56s left (a first guess)');
    expect(line('learned')).toMatch(/about 2m56s left \(from earlier runs here\)$/);
    expect(line('measured')).toMatch(/about 2m56s left$/);
  });
});
