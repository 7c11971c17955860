/**
 * `virtbench run`: a suite run (or resumed, or only planned with --dry-run) from start to report,
 * with progress on the terminal or as JSON lines.
 */
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { InputError } from '../core/errors.js';
import { loadResultSets } from '../results/load.js';
import { renderReport } from '../report/render.js';
import { dryRunText } from '../runner/dry-run.js';
import { openSuiteHost } from '../runner/hosts.js';
import { destroyLeftovers } from '../runner/leftovers.js';
import { ShellLoopProbe } from '../runner/probe-workload.js';
import { probeCommandLine } from '../workloads/probe/shell-loop.js';
import type { EventSink } from '../runner/progress/events.js';
import { jsonRenderer, plainRenderer, ttyRenderer } from '../runner/progress/renderers.js';
import { defaultProviders } from '../runner/providers.js';
import { storeResult } from '../runner/result-writers.js';
import { executeRun } from '../runner/runner.js';
import { resultIdOf } from '../suite/order.js';
import { handleSignals } from '../runner/signals.js';
import { finishRun, readRunForResume, resumeRun, startRun } from '../runner/start.js';
import { unixbenchWorkload, unixbenchCommandLines } from '../runner/unixbench-workload.js';
import type { RunnerWorkload } from '../runner/workload-port.js';
import { loadSuite } from '../suite/load.js';
import { adaptiveRepetitionsSchema, durationMinutes } from '../suite/schema.js';
import { adaptiveRounds, roundsNotes } from './adaptive-rounds.js';
import type { RunPlan } from '../suite/plan.js';
import { estimateRunSeconds } from '../runner/progress/plan-estimate.js';
import { learnedDurations } from '../runner/progress/learned.js';

export interface RunArgs {
  debug: boolean;
  suite?: string;
  unixbenchSource?: string;
  resume?: string;
  dryRun: boolean;
  json: boolean;
  results: string;
  report: boolean;
  reports: string;
  workload: 'unixbench' | 'shell-loop-probe';
  probeSeconds: number;
  minRounds?: number;
  maxRounds?: number;
  until?: 'decided';
  budget?: string;
}

/**
 * virtbench run <suite.yaml>: provision every guest, run the workload in each, collect, clean up,
 * render the report. Exit 0 all ok, 1 a target failed (or was not reached), 130 interrupted, 2 bad input.
 */
export const runCommand: CommandModule<{ debug: boolean }, RunArgs> = {
  command: 'run [suite]',
  describe: 'run a suite: every target, every repetition, then the report',
  builder: (y) =>
    y
      .positional('suite', { type: 'string', describe: 'suite file, e.g. suites/local-quick.yaml' })
      .option('unixbench-source', { type: 'string', describe: 'UnixBench source of the suite\'s version (5.1.3 unless workload.unixbench.version says 6.0.0): a directory or a .tar.gz (default: $VIRTBENCH_UNIXBENCH_SOURCE, then the cache, then a download)' })
      .option('resume', { type: 'string', describe: 'carry on with an interrupted or failed run directory (ok results are not repeated)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print every command each provider would run, and the order; run nothing' })
      .option('json', { type: 'boolean', default: false, describe: 'progress as JSON events, one per line, on stdout' })
      .option('results', { type: 'string', default: 'results', describe: 'folder for run directories' })
      .option('report', { type: 'boolean', default: true, describe: 'render the report at the end (--no-report: do not)' })
      .option('reports', { type: 'string', default: 'reports', describe: 'folder the report is written under (<reports>/<run-id>/)' })
      .option('workload', {
        choices: ['unixbench', 'shell-loop-probe'] as const,
        default: 'unixbench' as const,
        describe: 'shell-loop-probe: a seconds-long shell loop, to check hosts, guests and the runner itself; not a benchmark',
      })
      .option('probe-seconds', { type: 'number', default: 3, describe: 'with --workload shell-loop-probe: seconds the loop runs in each guest' })
      .option('min-rounds', { type: 'number', describe: 'adaptive repetitions: rounds before the first look (default 3; overrides the suite)' })
      .option('max-rounds', { type: 'number', describe: 'adaptive repetitions: add interleaved rounds until every compared ratio is decided, at most this many' })
      .option('until', { choices: ['decided'] as const, describe: 'adaptive repetitions: the stopping rule' })
      .option('budget', { type: 'string', describe: 'adaptive repetitions: wall-time budget, e.g. 90m or 2h' })
      .check((a) => {
        if (!a.suite && !a.resume) throw new InputError('USAGE', 'name a suite file, or --resume <run-dir>', { hint: 'virtbench run suites/local-quick.yaml' });
        if (a.suite && a.resume) throw new InputError('USAGE', 'give either a suite file or --resume <run-dir>, not both', { hint: 'a resumed run keeps the plan recorded in its run.json' });
        return true;
      })
      .example('$0 run suites/local-quick.yaml --unixbench-source ~/byte-unixbench-v5.1.3.tar.gz', 'host, LXC and KVM on this machine')
      .example('$0 run suites/seed-2011.yaml --dry-run', 'the commands of the 2011 comparison, without running them')
      .example('$0 run --resume results/<run-id>', 'carry on after Ctrl-C') as never,
  handler: async (args) => {
    process.exitCode = (await runMain(args)).exitCode;
  },
};

/** --min-rounds/--max-rounds/--until/--budget: adaptive repetitions from the command line. */
export function withRoundOptions(plan: RunPlan, a: Pick<RunArgs, 'minRounds' | 'maxRounds' | 'until' | 'budget'>): RunPlan {
  if (a.minRounds === undefined && a.maxRounds === undefined && a.until === undefined && a.budget === undefined) return plan;
  const parsed = adaptiveRepetitionsSchema.safeParse({
    min: a.minRounds ?? plan.adaptive?.min ?? 3,
    max: a.maxRounds ?? plan.adaptive?.max ?? Math.max(10, plan.repetitions),
    until: a.until ?? 'decided',
    ...(a.budget !== undefined ? { budget: a.budget } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError('USAGE', `adaptive repetitions: ${issue.message}`, { hint: 'e.g. --min-rounds 3 --max-rounds 10 --budget 2h', location: { field: String(issue.path[0] ?? 'max') } });
  }
  const r = parsed.data;
  const budgetMinutes = r.budget !== undefined ? durationMinutes(r.budget) : plan.adaptive?.budgetMinutes;
  return { ...plan, repetitions: r.min, adaptive: { min: r.min, max: r.max, until: r.until, ...(budgetMinutes !== undefined ? { budgetMinutes } : {}) } };
}

/** A run of a suite; `plan` replaces the suite's (calibrate runs it with its own repetitions). */
export async function runMain(args: RunArgs, o: { plan?: RunPlan } = {}): Promise<{ exitCode: number; runDir?: string }> {
  const providers = defaultProviders();
  // Read only: a dry run of a resume changes nothing; the real resume re-reads and checks the owner.
  const recorded = args.resume ? (await readRunForResume(args.resume)).state : undefined;
  const plan: RunPlan = recorded ? recorded.plan : o.plan ?? withRoundOptions(await loadSuite(args.suite!), args);
  if (plan.adaptive && plan.kernels) {
    throw new InputError('USAGE', 'adaptive repetitions do not combine with host kernels yet (each added round would need its own reboots)', { hint: 'give a fixed repetitions count for a suite with kernels', location: { file: plan.suiteFile, field: 'repetitions' } });
  }

  const workload: RunnerWorkload =
    args.workload === 'shell-loop-probe' ? new ShellLoopProbe(args.probeSeconds) : await unixbenchWorkload(plan, { source: args.unixbenchSource, dryRun: args.dryRun });
  if (args.dryRun) {
    const lines = args.workload === 'unixbench' ? unixbenchCommandLines(plan) : [probeCommandLine(args.probeSeconds)];
    process.stdout.write(await dryRunText(plan, { providers, workloadLines: lines, seed: recorded?.seed }));
    return { exitCode: 0 };
  }

  const emit: EventSink = args.json ? jsonRenderer((t) => process.stdout.write(t)) : process.stderr.isTTY ? ttyRenderer((t) => process.stderr.write(t), { columns: () => process.stderr.columns ?? 100, debug: args.debug }) : plainRenderer((t) => process.stderr.write(t), { debug: args.debug });
  const controller = new AbortController();
  // Every SSH exec of every host listens on the one run signal.
  setMaxListeners(0, controller.signal);
  const stopSignals = handleSignals(controller, emit);
  // A crash anywhere (a bug, a rejected promise nobody awaited) stops the run the way Ctrl-C
  // does, so every step still destroys its guest and run.json says what is left.
  let crashed: unknown;
  const onCrash = (e: unknown) => {
    crashed = e;
    emit({ type: 'warning', message: `internal error, stopping the run cleanly: ${e instanceof Error ? e.message : String(e)}` });
    controller.abort(e);
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    const run = args.resume ? await resumeRun(args.resume) : (await startRun({ plan, suiteText: await readFile(plan.suiteFile, 'utf8'), resultsDir: args.results, workload, workloadSource: args.unixbenchSource }));
    const s = run.state.state;
    const openHost = openSuiteHost;
    if (run.resumed) await destroyLeftovers(run.state, { openHost, key: run.key, emit });
    const learned = await learnedDurations(args.results, s.plan, s.runId);
    emit({
      type: 'plan',
      runId: s.runId,
      runDir: run.runDir,
      suite: s.plan.name,
      order: s.plan.order.mode,
      seed: s.seed,
      repetitions: s.plan.repetitions,
      targets: s.plan.targets.map((t) => t.spec.name),
      hosts: s.plan.hosts.map((h) => h.name),
      steps: Object.values(s.schedule).flat().map((st) => ({
        resultId: resultIdOf(st), host: st.host, target: st.target, repetition: st.repetition,
        method: s.plan.targets.find((t) => t.spec.name === st.target)!.spec.method,
        done: s.steps[resultIdOf(st)]?.status === 'ok',
      })),
      resumed: run.resumed,
      estimatedSeconds: estimateRunSeconds(s, workload, learned.seconds, learned.tailSeconds),
      estimateBasis: learned.runs > 0 ? `from the step durations of ${learned.runs} earlier run(s) here` : 'a first guess: no earlier run of these targets in this results folder',
    });
    const adaptive = s.plan.adaptive && workload.name === 'unixbench'
      ? adaptiveRounds({ runDir: run.runDir, plan: s.plan, adaptive: s.plan.adaptive, startedAt: Date.now(), emit: (host, round, message, more) => emit({ type: 'rounds', host, round, message, more }) })
      : undefined;
    const summary = await executeRun({ learned: learned.seconds, state: run.state, runDir: run.runDir, key: run.key, workload, providers, openHost: (h, k, o) => openHost(h, k, { signal: controller.signal, ...o }), writeResult: storeResult, emit, signal: controller.signal, ...(adaptive ? { nextRound: adaptive } : {}) });
    await finishRun(run.state, summary.outcome);

    let report: { dir: string; files: string[] } | undefined;
    if (args.report && summary.ok > 0 && workload.name === 'unixbench' && summary.outcome !== 'interrupted') {
      const outDir = resolve(args.reports, s.runId);
      try {
        const out = await renderReport(await loadResultSets(run.runDir), { outDir, colour: !args.json && !!process.stdout.isTTY, notes: await roundsNotes(run.runDir) });
        if (out.terminal && !args.json) process.stdout.write(out.terminal);
        report = { dir: outDir, files: out.files.map((f) => relative(process.cwd(), f)) };
      } catch (e) {
        emit({ type: 'warning', message: `the report could not be rendered: ${(e as Error).message}; the results are safe in ${run.runDir} (try: virtbench report ${run.runDir} --out ${join(args.reports, s.runId)})` });
      }
    }
    emit({ type: 'finished', outcome: summary.outcome, runDir: relative(process.cwd(), run.runDir) || run.runDir, ok: summary.ok, failed: summary.failed, missing: summary.missing, elapsedSeconds: summary.elapsedSeconds, report });
    if (crashed) throw crashed;
    return { exitCode: summary.outcome === 'ok' ? 0 : summary.outcome === 'interrupted' ? 130 : 1, runDir: run.runDir };
  } finally {
    stopSignals();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    (emit as { stop?: () => void }).stop?.();
  }
}
