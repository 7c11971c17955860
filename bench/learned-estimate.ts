/**
 * How good the learned first estimate is on a real series: for each run of a results folder (in
 * time order), the estimate learned.ts makes from the runs before it only, against the run's
 * actual wall time (its single attempt, start to end). Runs of other suites or options are
 * skipped by learned.ts itself.
 *   npm run bench:estimate -- <results folder>
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { learnedDurations } from '../src/runner/progress/learned.js';
import { estimateRunSeconds } from '../src/runner/progress/plan-estimate.js';
import type { RunState } from '../src/runner/run-state.js';
import type { RunnerWorkload } from '../src/runner/workload-port.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bench/learned-estimate.ts <results folder>');
const states: { name: string; state: RunState }[] = [];
for (const name of await readdir(dir)) {
  try {
    const state = JSON.parse(await readFile(join(dir, name, 'run.json'), 'utf8')) as RunState;
    if (state.kind === 'virtbench-run' && state.attempts?.length === 1 && state.attempts[0]!.endedAt) states.push({ name, state });
  } catch {
    // not a run directory
  }
}
states.sort((a, b) => a.state.createdAt.localeCompare(b.state.createdAt));
// Only runs that learned something are scored; the first guess needs the workload's own estimate.
const workload = { estimateSeconds: () => 0 } as unknown as RunnerWorkload;
const offs: number[] = [];
for (let k = 1; k < states.length; k++) {
  const tmp = await mkdtemp(join(tmpdir(), 'vb-estimate-'));
  try {
    // The earlier runs' run.json only (what learned.ts reads), in a folder of their own.
    for (const r of states.slice(0, k)) {
      await mkdir(join(tmp, r.name));
      await copyFile(join(dir, r.name, 'run.json'), join(tmp, r.name, 'run.json'));
    }
    const { name, state } = states[k]!;
    const fresh = { ...state, steps: Object.fromEntries(Object.entries(state.steps).map(([id, s]) => [id, { ...s, status: 'pending' as const }])) };
    const learned = await learnedDurations(tmp, state.plan);
    if (learned.runs === 0) continue;
    const estimate = estimateRunSeconds(fresh, workload, learned.seconds, learned.tailSeconds);
    const a = state.attempts[0]!;
    const actual = (Date.parse(a.endedAt!) - Date.parse(a.startedAt)) / 1000;
    const off = (estimate - actual) / actual;
    offs.push(Math.abs(off));
    console.log(`${name}: from ${learned.runs} earlier run(s): estimate ${estimate.toFixed(0)} s, actual ${actual.toFixed(0)} s, ${off >= 0 ? '+' : ''}${(off * 100).toFixed(1)}%`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
if (offs.length) console.log(`largest error ${(Math.max(...offs) * 100).toFixed(1)}% over ${offs.length} run(s)`);
