/**
 * One benchmark step: provision, connect, prepare, run, collect, write the result, and destroy the
 * guest whatever happens.
 */
import { appendFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathInside } from '../core/contained.js';
import { InterruptedError, sshPeerLost } from '../core/errors.js';
import type { Guest } from '../core/guest.js';
import type { Provider, ProvisionContext, RunKey } from '../core/provider.js';
import type { CommandHost } from '../core/host.js';
import type { ProgressEvent } from '../core/progress.js';
import type { TargetSpec } from '../core/targets.js';
import { SshSession } from '../remote/session.js';
import type { HostKernelRecord } from '../results/model.js';
import type { PlannedTarget } from '../suite/plan.js';
import type { ScheduledStep } from '../suite/order.js';
import { CleanupStack } from './cleanup.js';
import { destroyEarlierAttempt } from './earlier-guest.js';
import type { EventSink } from './progress/events.js';
import { describeError, resultIdentity } from './result-doc.js';
import type { RunStateFile } from './run-state.js';
import type { ResultWriter, RunnerWorkload, StepContext, WorkloadOutcome } from './workload-port.js';

export interface StepDeps {
  runId: string;
  runDir: string;
  state: RunStateFile;
  host: CommandHost;
  provider: Provider;
  target: PlannedTarget;
  spec: TargetSpec;
  workload: RunnerWorkload;
  key: RunKey;
  writeResult: ResultWriter;
  emit: EventSink;
  signal: AbortSignal;
  /** Called with every progress event of the step (the runner tracks UnixBench's remaining time). */
  onProgress?: (e: ProgressEvent) => void;
  /** How long to keep trying to reach a provisioned guest by SSH (default 120 s: guests boot). */
  connectDeadlineMs?: number;
  /** The lab host's verified kernel, on a host whose kernels the suite measures. */
  hostKernel?: HostKernelRecord;
  /** Checked once the workload has run, before an ok result is written: throws when the host's kernel cannot vouch for it. */
  checkHostKernel?: () => Promise<void>;
}

export interface StepOutcome {
  status: 'ok' | 'failed' | 'interrupted';
  seconds: number;
  /** Start to the guest destroyed and the work folder gone: what the step costs a run's wall time. */
  wallSeconds?: number;
  workloadSeconds?: number;
  error?: unknown;
}

/**
 * One benchmark: provision, connect, prepare, run, collect, destroy. The result is written
 * (ok or failed) before the guest is destroyed; the guest is destroyed whatever happens, with
 * a signal of its own so Ctrl-C does not cut the cleanup short.
 */
export async function runStep(step: ScheduledStep, resultId: string, d: StepDeps): Promise<StepOutcome> {
  const t0 = Date.now();
  const startedAt = new Date().toISOString();
  const resultDir = pathInside(d.runDir, resultId);
  // A failed earlier attempt keeps its folder (its log says why) under .attempts/; a folder of an
  // interrupted attempt holds nothing finished.
  await keepEarlierAttempt(d.runDir, resultId);
  await mkdir(resultDir, { recursive: true });
  const logFile = join(resultDir, 'runner.log');
  const log = (line: string) => appendFile(logFile, `${new Date().toISOString()} ${line}\n`).catch(() => undefined);
  const progress = (e: ProgressEvent) => {
    void log(`${e.step}: ${e.level && e.level !== 'info' ? `${e.level}: ` : ''}${e.message}${e.test ? ` [${e.test}${e.pass ? ` ${e.pass.index}/${e.pass.total}` : ''}]` : ''}`);
    d.onProgress?.(e);
    d.emit({ type: 'progress', resultId, host: step.host, event: e });
  };
  const say = (s: ProgressEvent['step'], message: string) => {
    void log(`${s}: ${message}`);
    d.emit({ type: 'step', resultId, host: step.host, target: step.target, step: s, message });
  };

  await d.state.update((s) => {
    const st = s.steps[resultId]!;
    st.status = 'running';
    st.attempts += 1;
    st.startedAt = startedAt;
    delete st.finishedAt;
    delete st.error;
  });

  const cleanup = new CleanupStack();
  const workDir = pathInside(d.runDir, ['.work', resultId]);
  await mkdir(workDir, { recursive: true });
  const ctxFor = (signal?: AbortSignal): ProvisionContext => ({ host: d.host, runId: d.runId, workDir, key: d.key, progress, signal });
  let guest: Guest | undefined;
  let outcome: WorkloadOutcome | undefined;
  let failure: unknown;
  let phase: ProgressEvent['step'] = 'provision';
  try {
    if (d.state.state.attempts.length > 1) await destroyEarlierAttempt(d.host, d.runId, d.spec.name, progress);
    say('provision', `provisioning ${d.spec.method} guest ${d.spec.name} on ${d.host.name}`);
    const provisioned = await d.provider.provision(d.spec, ctxFor(d.signal));
    guest = provisioned;
    cleanup.push(`destroy ${d.spec.method} guest ${d.spec.name}`, async () => {
      say('destroy', `destroying ${provisioned.method} guest ${provisioned.name}`);
      await d.provider.destroy(provisioned, ctxFor(undefined));
    });
    await d.state.update((s) => {
      s.steps[resultId]!.guest = { name: provisioned.name, method: provisioned.method, handle: provisioned.handle, ssh: provisioned.ssh, emulated: provisioned.emulated, facts: provisioned.facts };
    });
    if (provisioned.emulated) say('provision', 'KVM did not boot a guest here: running under TCG emulation; this result is marked emulated and is never a KVM number');
    throwIfAborted(d.signal);

    phase = 'connect';
    const via = provisioned.ssh.jump ? ` through ${provisioned.ssh.jump.user}@${provisioned.ssh.jump.host}:${provisioned.ssh.jump.port} (jump host)` : '';
    say('connect', `connecting to ${provisioned.ssh.user}@${provisioned.ssh.host}:${provisioned.ssh.port}${via}`);
    const session = await SshSession.open(provisioned.ssh, { signal: d.signal, deadlineMs: d.connectDeadlineMs ?? 120_000 });
    cleanup.push('close the SSH session', () => session.close());
    const ctx: StepContext = { step, resultId, guest: provisioned, session, host: d.host, resultDir, progress, signal: d.signal };

    phase = 'prepare';
    say('prepare', `preparing ${d.workload.name}`);
    await d.workload.prepare(ctx);
    throwIfAborted(d.signal);

    phase = 'run';
    say('run', `running ${d.workload.name}`);
    outcome = await d.workload.run(ctx);
    phase = 'collect';
    await d.checkHostKernel?.();
  } catch (e) {
    failure = e;
    // The guest's connection died on a host whose kernels are measured: ask whether the lab host
    // itself went down (its own error names the kernel and the resume), else keep the guest's error.
    if (d.checkHostKernel && !d.signal.aborted && sshPeerLost(e)) {
      await d.checkHostKernel().catch((k: unknown) => {
        failure = k;
      });
    }
  }

  const interrupted = d.signal.aborted;
  const finishedAt = new Date().toISOString();
  const seconds = (Date.now() - t0) / 1000;
  // Write what was measured (or why not) before anything is destroyed. If writing fails (disk
  // full), the guest is still destroyed and the error goes up after run.json is updated.
  let writeError: unknown;
  const header = {
    ...resultIdentity(d.runId, resultId, step, { spec: d.spec, label: d.target.label }, d.workload),
    startedAt,
    finishedAt,
    emulated: guest?.emulated ?? false,
    guestFacts: guest?.facts,
    ...(d.hostKernel ? { hostKernel: d.hostKernel } : {}),
  };
  try {
    if (outcome && !failure) {
      await d.writeResult(d.runDir, {
        ...header,
        status: 'ok',
        ...outcome.fields,
        rawFiles: [...new Set([...outcome.rawFiles, 'runner.log'])],
      });
    } else if (!interrupted) {
      const error = describeError(failure, phase);
      await log(`FAILED in ${phase}: ${error.code}: ${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`);
      await d.writeResult(d.runDir, {
        ...header,
        status: 'failed',
        error,
        // What a failed workload brought back (UnixBench's report up to the abort) is kept and listed.
        rawFiles: await rawFilesIn(resultDir),
      });
    }

  } catch (e) {
    writeError = e;
  }

  const cleanupFailures = await cleanup.run();
  for (const f of cleanupFailures) {
    await log(`cleanup failed: ${f.what}: ${f.error.message}`);
    d.emit({ type: 'warning', host: step.host, message: `${resultId}: ${f.what} failed: ${f.error.message} (see virtbench guests list / destroy)` });
  }
  await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  const wallSeconds = (Date.now() - t0) / 1000;

  const status: StepOutcome['status'] = writeError ? 'failed' : outcome && !failure ? 'ok' : interrupted ? 'interrupted' : 'failed';
  if (writeError && !failure) failure = writeError;
  await d.state.update((s) => {
    const st = s.steps[resultId]!;
    // The guest record stays only when destroying it failed, so resume can try again.
    if (cleanupFailures.length === 0) delete st.guest;
    st.status = status === 'interrupted' ? 'pending' : status;
    st.finishedAt = finishedAt;
    st.seconds = seconds;
    st.wallSeconds = wallSeconds;
    if (outcome) st.workloadSeconds = outcome.workloadSeconds;
    if (status === 'failed') st.error = describeError(failure, phase);
  });
  if (writeError) throw writeError;
  if (status === 'interrupted') {
    await rm(resultDir, { recursive: true, force: true });
    return { status, seconds };
  }
  d.emit({
    type: 'result',
    resultId,
    host: step.host,
    target: step.target,
    status,
    seconds,
    workloadSeconds: outcome?.workloadSeconds,
    score: outcome?.score,
    scoreLabel: outcome?.scoreLabel,
    emulated: guest?.emulated,
    error: status === 'failed' ? describeError(failure, phase) : undefined,
  });
  return { status, seconds, wallSeconds, workloadSeconds: outcome?.workloadSeconds, error: failure };
}

async function rawFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = names.filter((n) => n !== 'result.json' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(n));
  return [...new Set([...files, 'runner.log'])].sort();
}

async function keepEarlierAttempt(runDir: string, resultId: string): Promise<void> {
  const dir = pathInside(runDir, resultId);
  const had = await stat(join(dir, 'result.json')).then(() => true, () => false);
  if (had) {
    await mkdir(join(runDir, '.attempts'), { recursive: true });
    await rename(dir, join(runDir, '.attempts', `${resultId}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  } else {
    await rm(dir, { recursive: true, force: true });
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new InterruptedError();
}


