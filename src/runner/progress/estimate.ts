/**
 * Estimates for "how long is left". Priors come from UnixBench 5.1.3's own timings (each test
 * runs for a fixed time per pass; long tests repeat -i times, short ones (i+1)/3 times) and
 * typical provisioning times (each method's descriptor); once a target has finished a
 * repetition, its measured time replaces the prior for its next repetitions.
 */
import { availableParallelism } from 'node:os';
import type { UnixBenchOptions } from '../../core/targets.js';
import { descriptorOf } from '../../providers/registry.js';
import type { PlannedTarget } from '../../suite/plan.js';
import { expandTests, UNIXBENCH_TESTS } from '../../workloads/unixbench/catalogue.js';
import { iterationCounts } from '../../workloads/unixbench/progress.js';

/** Seconds UnixBench itself runs with these options on a guest with `cpus` CPUs. */
export function unixbenchSeconds(options: Partial<UnixBenchOptions>, cpus: number): number {
  const tests = expandTests(options.tests);
  const passes = iterationCounts(options.iterations);
  const copies = options.copies ?? (cpus > 1 ? [1, cpus] : [1]);
  let perPass = 0;
  for (const name of tests) {
    const test = UNIXBENCH_TESTS[name];
    perPass += (test?.seconds ?? 30) * (test?.repeat === 'long' ? passes.long : passes.short) + 1;
  }
  // Between passes Run forks, syncs and sleeps: the fixtures show ~25% on top of the test times.
  return Math.round(perPass * copies.length * 1.25);
}

/**
 * A target's first guess, before anything is measured: its method's provision + build + collect +
 * destroy, plus the workload on the CPUs it gets (the spec's own vCPUs, else this machine's).
 */
export function targetPriorSeconds(t: PlannedTarget, workloadSeconds: (cpus: number) => number): number {
  const d = descriptorOf(t.spec.method);
  const cpus = t.cpusFromHost ? availableParallelism() : d.vcpus?.(t.spec) ?? availableParallelism();
  return d.overheadSeconds(t.spec) + workloadSeconds(cpus);
}

export interface StepEstimate {
  resultId: string;
  host: string;
  target: string;
  seconds: number;
}

/** Remaining wall time: hosts run concurrently, so the slowest host's queue decides. */
export class RunClock {
  private readonly measured = new Map<string, number[]>();
  private readonly started = Date.now();
  constructor(private readonly priors: Map<string, number>, private readonly learned?: ReadonlyMap<string, number>) {}

  get elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  record(target: string, seconds: number): void {
    const list = this.measured.get(target) ?? [];
    list.push(seconds);
    this.measured.set(target, list);
  }

  estimateFor(target: string): number {
    const m = this.measured.get(target);
    if (m && m.length > 0) return m.reduce((a, b) => a + b, 0) / m.length;
    return this.learned?.get(target) ?? this.priors.get(target) ?? 120;
  }

  /** What the remaining time rests on: 'first guess' as soon as one step still to do has neither a measured nor a learned duration. */
  basis(pending: { target: string }[], current: Map<string, { target: string }>): 'measured' | 'learned' | 'first guess' {
    const targets = [...pending.map((p) => p.target), ...[...current.values()].map((c) => c.target)];
    if (targets.some((t) => !this.measured.get(t)?.length && !this.learned?.has(t))) return 'first guess';
    return targets.some((t) => !this.measured.get(t)?.length) ? 'learned' : 'measured';
  }

  /** pending: steps not started yet; current: per host, the step running and when it began. */
  remainingSeconds(pending: { host: string; target: string }[], current: Map<string, { target: string; startedAt: number; workloadRemaining?: number }>): number {
    const perHost = new Map<string, number>();
    for (const p of pending) perHost.set(p.host, (perHost.get(p.host) ?? 0) + this.estimateFor(p.target));
    for (const [host, c] of current) {
      const spent = (Date.now() - c.startedAt) / 1000;
      const left = c.workloadRemaining ?? Math.max(0, this.estimateFor(c.target) - spent);
      perHost.set(host, (perHost.get(host) ?? 0) + left);
    }
    return Math.max(0, ...perHost.values());
  }
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}
