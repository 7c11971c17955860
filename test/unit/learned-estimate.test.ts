import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe as suite, expect, it } from 'vitest';
import { learnedDurations } from '../../src/runner/progress/learned.js';
import { estimateRunSeconds } from '../../src/runner/progress/plan-estimate.js';
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
});
