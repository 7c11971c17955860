/**
 * Executes the steps of a run: one benchmark at a time per host, all hosts at once, adaptive
 * rounds, and a failed result for a step that could not start.
 */
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Provider, RunKey } from '../core/provider.js';
import type { CommandHost } from '../core/host.js';
import type { Method, TargetSpec } from '../core/targets.js';
import type { PlannedTarget, SuiteHost } from '../suite/plan.js';
import { resultIdOf, shuffled, type ScheduledStep } from '../suite/order.js';
import { seededRng } from '../core/random.js';
import { descriptorOf } from '../providers/registry.js';
import type { EventSink } from './progress/events.js';
import { RunClock, targetPriorSeconds } from './progress/estimate.js';
import type { RunStateFile } from './run-state.js';
import { LabKernels } from './kernels/lab-kernels.js';
import { describeError, resultIdentity } from './result-doc.js';
import { runStep } from './step.js';
import type { ResultWriter, RunnerWorkload } from './workload-port.js';

export interface RunnerDeps {
  state: RunStateFile;
  runDir: string;
  key: RunKey;
  workload: RunnerWorkload;
  providers: Partial<Record<Method, Provider>>;
  /** Opens a suite host (this machine, or a remote one over SSH), trying for about deadlineMs. */
  openHost: (host: SuiteHost, key: RunKey, opts?: { deadlineMs?: number }) => Promise<CommandHost>;
  writeResult: ResultWriter;
  emit: EventSink;
  signal: AbortSignal;
  /** How often a status event (elapsed, remaining) is emitted; default 5 s. */
  statusIntervalMs?: number;
  connectDeadlineMs?: number;
  /**
   * Adaptive repetitions: asked when a host's queue is empty, after `round` rounds; true adds one
   * more interleaved round of that host's targets. The decision (statistics) is the caller's.
   */
  nextRound?: (host: string, round: number) => Promise<boolean>;
  /** Per target: what a step cost earlier runs here (progress/learned.ts); replaces the first guess. */
  learned?: ReadonlyMap<string, number>;
}

export interface RunSummary {
  outcome: 'ok' | 'failed' | 'interrupted';
  ok: number;
  failed: number;
  missing: number;
  elapsedSeconds: number;
  /** Seconds the workload itself ran, summed over the results of this attempt. */
  workloadSeconds: number;
}

/**
 * Executes the steps of run.json that are not done: one benchmark at a time per host (guests on
 * one host would disturb each other), all hosts at once. A host that cannot be reached, or is
 * lost mid-run, stops its own queue; the others go on.
 */
export async function executeRun(d: RunnerDeps): Promise<RunSummary> {
  const s = d.state.state;
  const plan = s.plan;
  const targets = new Map(plan.targets.map((t) => [t.spec.name, t]));
  const priors = new Map<string, number>();
  for (const t of plan.targets) {
    priors.set(t.spec.name, targetPriorSeconds(t, (cpus) => d.workload.estimateSeconds(cpus)));
  }
  const clock = new RunClock(priors, d.learned);
  for (const st of Object.values(s.steps)) {
    const step = Object.values(s.schedule).flat().find((x) => resultIdOf(x) === st.resultId);
    if (step && st.status === 'ok' && st.seconds !== undefined) clock.record(step.target, st.wallSeconds ?? st.seconds);
  }
  const pending = new Map<string, ScheduledStep[]>();
  for (const [host, steps] of Object.entries(s.schedule)) pending.set(host, steps.filter((x) => s.steps[resultIdOf(x)]?.status !== 'ok'));
  const current = new Map<string, { target: string; startedAt: number; workloadRemaining?: number }>();
  let workloadSeconds = 0;

  const emitStatus = () => {
    const counts = Object.values(s.steps);
    d.emit({
      type: 'status',
      elapsedSeconds: clock.elapsedSeconds,
      remainingSeconds: clock.remainingSeconds([...pending.values()].flat(), current),
      estimateBasis: clock.basis([...pending.values()].flat(), current),
      done: counts.filter((x) => x.status === 'ok').length,
      failed: counts.filter((x) => x.status === 'failed').length,
      total: counts.length,
    });
  };
  const ticker = setInterval(emitStatus, d.statusIntervalMs ?? 5_000);
  ticker.unref();

  const runHost = async (hostName: string) => {
    const suiteHost = plan.hosts.find((h) => h.name === hostName);
    const queue = pending.get(hostName) ?? [];
    // A lab host with kernels is visited even with nothing left to measure (a run killed after its
    // last step): its default kernel may still have to be restored, or another round decided on.
    if (!suiteHost || (queue.length === 0 && plan.kernels?.host !== hostName)) return;
    const kernels = plan.kernels?.host === hostName
      ? new LabKernels({ plan: plan.kernels, suiteHost, key: d.key, state: d.state, emit: d.emit, signal: d.signal, openHost: d.openHost, runDir: d.runDir })
      : undefined;
    let host: CommandHost | undefined;
    try {
      const deadlineMs = kernels?.openDeadlineMs();
      host = await d.openHost(kernels ? kernels.suiteHost() : suiteHost, d.key, deadlineMs ? { deadlineMs } : undefined);
    } catch (e) {
      const message = `cannot reach host ${hostName}: ${(e as Error).message}`;
      d.emit({ type: 'warning', host: hostName, message: `${message}; its ${queue.length} step(s) are recorded as failed and run again with --resume` });
      const error = { code: 'HOST_UNREACHABLE', message, hint: `check the address, user and key of host '${hostName}' in the suite, then virtbench run --resume` };
      for (const step of queue.splice(0)) await recordUnavailable(d, step, resultIdOf(step), targets.get(step.target)!, error);
      return;
    }
    // A host whose kernel cannot be switched (or did not come back from a switch) stops its queue:
    // every step left is recorded as failed with the reason, and --resume takes them up again.
    const stopKernelQueue = async (e: unknown) => {
      const error = describeError(e, 'provision');
      d.emit({ type: 'warning', host: hostName, message: `${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}; ${queue.length} step(s) recorded as failed, run again with --resume` });
      for (const step of queue.splice(0)) await recordUnavailable(d, step, resultIdOf(step), targets.get(step.target)!, error);
    };
    try {
      if (kernels) {
        try {
          host = await kernels.start(host);
        } catch (e) {
          host = kernels.live;
          if (!d.signal.aborted) await stopKernelQueue(e);
          return;
        }
      }
      for (;;) {
        if (queue.length === 0 && !d.signal.aborted && d.nextRound) {
          const round = Math.max(0, ...(s.schedule[hostName] ?? []).map((x) => x.repetition));
          if (await d.nextRound(hostName, round)) queue.push(...(await addRound(d, hostName, round + 1)));
        }
        if (queue.length === 0 || d.signal.aborted) break;
        const step = queue[0]!;
        if (kernels && step.kernel !== undefined) {
          try {
            host = await kernels.ensure(host!, step.kernel);
          } catch (e) {
            host = kernels.live;
            if (!d.signal.aborted) await stopKernelQueue(e);
            break;
          }
        }
        const target = targets.get(step.target)!;
        const provider = d.providers[target.spec.method];
        const resultId = resultIdOf(step);
        current.set(hostName, { target: step.target, startedAt: Date.now() });
        queue.shift();
        if (!provider) {
          await recordUnavailable(d, step, resultId, target, { code: 'PROVIDER_UNAVAILABLE', message: `no provider for method ${target.spec.method} is available in this build`, hint: 'see virtbench doctor' });
          current.delete(hostName);
          continue;
        }
        const spec = await resolveSpec(target, host!);
        emitStatus();
        const r = await runStep(step, resultId, {
          runId: s.runId, runDir: d.runDir, state: d.state, host: host!, provider, target, spec, workload: d.workload, key: d.key,
          writeResult: d.writeResult, emit: d.emit, signal: d.signal, connectDeadlineMs: d.connectDeadlineMs,
          ...(kernels?.current && step.kernel !== undefined ? { hostKernel: kernels.current, checkHostKernel: () => kernels.checkStillBooted(host!) } : {}),
          onProgress: (e) => {
            const c = current.get(hostName);
            if (c && e.step === 'run' && e.remainingSeconds !== undefined) c.workloadRemaining = e.remainingSeconds + 30;
          },
        });
        current.delete(hostName);
        if (r.status === 'interrupted') {
          queue.unshift(step);
          break;
        }
        if (r.status === 'ok') {
          clock.record(step.target, r.wallSeconds ?? r.seconds);
          workloadSeconds += r.workloadSeconds ?? 0;
        }
        emitStatus();
        if (r.status === 'failed' && !(await hostAlive(host!))) {
          d.emit({ type: 'warning', host: hostName, message: `host ${hostName} no longer answers: stopping its queue; ${queue.length} step(s) left for --resume` });
          break;
        }
      }
    } finally {
      current.delete(hostName);
      if (kernels) host = await kernels.restore(host);
      await host?.close().catch(() => undefined);
    }
  };

  const t0 = Date.now();
  try {
    await Promise.all(plan.hosts.map((h) => runHost(h.name)));
  } finally {
    clearInterval(ticker);
    // Per-step work folders are removed by each step; the parent goes when it is empty.
    await rmdir(join(d.runDir, '.work')).catch(() => undefined);
  }
  const steps = Object.values(s.steps);
  const ok = steps.filter((x) => x.status === 'ok').length;
  const failed = steps.filter((x) => x.status === 'failed').length;
  const missing = steps.length - ok - failed;
  const outcome: RunSummary['outcome'] = d.signal.aborted ? 'interrupted' : failed > 0 || missing > 0 ? 'failed' : 'ok';
  return { outcome, ok, failed, missing, elapsedSeconds: (Date.now() - t0) / 1000, workloadSeconds };
}

/** One more round of a host's targets, in an order shuffled with the run's seed and the round. */
async function addRound(d: RunnerDeps, hostName: string, round: number): Promise<ScheduledStep[]> {
  const s = d.state.state;
  const targets = s.plan.targets.filter((t) => t.spec.host === hostName).map((t) => t.spec.name);
  const random = seededRng((s.seed + round * 0x9e3779b1) >>> 0).next;
  const k = s.plan.kernels;
  let steps: ScheduledStep[];
  if (k?.host === hostName) {
    // A lab host's round is one per kernel, in the reverse of the previous round's kernel order (old, new, new, old, ...).
    const prev = [...new Set((s.schedule[hostName] ?? []).filter((x) => x.repetition === round - 1 && x.kernel !== undefined).map((x) => x.kernel!))];
    const order = prev.length === k.releases.length ? [...prev].reverse() : k.releases;
    steps = order.flatMap((kernel) => shuffled(targets, random).map((target) => ({ target, host: hostName, repetition: round, kernel })));
  } else {
    steps = shuffled(targets, random).map((target) => ({ target, host: hostName, repetition: round }));
  }
  await d.state.update((st) => {
    st.schedule[hostName] = [...(st.schedule[hostName] ?? []), ...steps];
    for (const x of steps) st.steps[resultIdOf(x)] = { resultId: resultIdOf(x), status: 'pending', attempts: 0 };
  });
  return steps;
}

/** A target whose CPU count is the host's (KVM `cpus: all`) gets the count read on the host itself. */
export async function resolveSpec(target: PlannedTarget, host: CommandHost): Promise<TargetSpec> {
  const withHostCpus = descriptorOf(target.spec.method).withHostCpus;
  if (!target.cpusFromHost || !withHostCpus) return target.spec;
  const r = await host.run(['nproc', '--all'], { allowFailure: true });
  const n = Number.parseInt(r.stdout.trim(), 10);
  return withHostCpus(target.spec, Number.isFinite(n) && n > 0 ? n : 1);
}

async function hostAlive(host: CommandHost): Promise<boolean> {
  try {
    await host.run(['true'], { timeoutMs: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** A step that could not even start (no provider, host unreachable): a failed result, retried on --resume. */
async function recordUnavailable(d: RunnerDeps, step: ScheduledStep, resultId: string, target: PlannedTarget, error: { code: string; message: string; hint?: string }): Promise<void> {
  const now = new Date().toISOString();
  await d.writeResult(d.runDir, {
    ...resultIdentity(d.state.state.runId, resultId, step, target, d.workload),
    status: 'failed', error, startedAt: now, finishedAt: now, emulated: false, rawFiles: [],
  });
  await d.state.update((st) => {
    const x = st.steps[resultId]!;
    x.status = 'failed';
    x.error = error;
    x.finishedAt = now;
  });
  d.emit({ type: 'result', resultId, host: step.host, target: step.target, status: 'failed', seconds: 0, error });
}
