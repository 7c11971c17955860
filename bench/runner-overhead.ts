/**
 * The runner's overhead: total wall time of a run minus the time UnixBench itself ran (first
 * test to collection, per result), as a share of the whole. Provisioning, building UnixBench,
 * collecting and destroying all count as overhead; the goal for the local quick suite with
 * cached images is under 5%.
 *
 *   npm run bench:runner -- [suite.yaml] --unixbench-source <dir|tarball> [--results <dir>]
 *   (default suite: suites/local-quick.yaml; the run directory is kept)
 */
import { readFile } from 'node:fs/promises';
import { loadSuite } from '../src/suite/load.js';
import { openSuiteHost } from '../src/runner/hosts.js';
import { plainRenderer } from '../src/runner/progress/renderers.js';
import { defaultProviders } from '../src/runner/providers.js';
import { storeResult } from '../src/runner/result-writers.js';
import { executeRun } from '../src/runner/runner.js';
import { finishRun, startRun } from '../src/runner/start.js';
import { unixbenchWorkload } from '../src/runner/unixbench-workload.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const suiteFile = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--')) ?? 'suites/local-quick.yaml';
const plan = await loadSuite(suiteFile);
const workload = await unixbenchWorkload(plan, { source: arg('--unixbench-source'), dryRun: false });
const t0 = Date.now();
const run = await startRun({ plan, suiteText: await readFile(plan.suiteFile, 'utf8'), resultsDir: arg('--results') ?? '/tmp/virtbench-bench-results', workload });
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const summary = await executeRun({
  state: run.state, runDir: run.runDir, key: run.key, workload, providers: defaultProviders(), openHost: (h, k) => openSuiteHost(h, k),
  writeResult: storeResult, emit: plainRenderer((t) => process.stderr.write(t)), signal: controller.signal,
});
await finishRun(run.state, summary.outcome);
const wall = (Date.now() - t0) / 1000;

const steps = Object.values(run.state.state.steps);
const rows = steps.map((s) => ({ result: s.resultId, status: s.status, seconds: s.seconds ?? 0, unixbench: s.workloadSeconds ?? 0 }));
console.log(`suite ${plan.name}: ${summary.ok} ok, ${summary.failed} failed; run directory ${run.runDir}`);
console.log('result                 status   total s   UnixBench s   overhead s');
for (const r of rows) console.log(`${r.result.padEnd(22)} ${r.status.padEnd(8)} ${r.seconds.toFixed(1).padStart(7)}   ${r.unixbench.toFixed(1).padStart(11)}   ${(r.seconds - r.unixbench).toFixed(1).padStart(10)}`);
const ub = rows.reduce((a, r) => a + r.unixbench, 0);
console.log(`wall ${wall.toFixed(1)} s, UnixBench ${ub.toFixed(1)} s, overhead ${(wall - ub).toFixed(1)} s = ${((100 * (wall - ub)) / wall).toFixed(1)}% of the whole (goal < 5% for local-quick with cached images)`);
process.exitCode = summary.outcome === 'ok' ? 0 : 1;
