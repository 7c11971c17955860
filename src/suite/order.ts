/**
 * The steps of a run (a target at a repetition, maybe under one host kernel) and the seeded order
 * they run in.
 */
import { seededRng } from '../core/random.js';
import type { OrderMode, RunPlan } from './plan.js';

/**
 * One benchmark to take: a target at a repetition (1-based), and on a host whose kernels are
 * measured, under one of them. Its result id is "<target>-r<repetition>", or
 * "<target>-<kernel>-r<repetition>".
 */
export interface ScheduledStep {
  target: string;
  host: string;
  repetition: number;
  /** The host kernel (uname -r) the host is booted into for this step. */
  kernel?: string;
}

export function resultIdOf(step: { target: string; repetition: number; kernel?: string }): string {
  return step.kernel === undefined ? `${step.target}-r${step.repetition}` : `${step.target}-${step.kernel}-r${step.repetition}`;
}

/**
 * The order benchmarks run in, per suite host (hosts run concurrently, one benchmark at a time
 * on each). Interleaved: each repetition is a round over every target of the host, in an order
 * shuffled with the seed, so slow drift on the host (thermal, background load) does not favour
 * one method. Sequential: every repetition of the first target, then the next, as listed.
 */
export function scheduleFor(plan: RunPlan, seed: number): Map<string, ScheduledStep[]> {
  const random = seededRng(seed).next;
  const out = new Map<string, ScheduledStep[]>();
  for (const host of plan.hosts) {
    const targets = plan.targets.filter((t) => t.spec.host === host.name).map((t) => t.spec.name);
    const steps: ScheduledStep[] = [];
    if (plan.kernels?.host === host.name) {
      for (const round of kernelRounds(plan.kernels.releases, plan.repetitions, plan.order.mode, random)) {
        const inRound = plan.order.mode === 'sequential' ? targets : shuffled(targets, random);
        for (const target of inRound) steps.push({ target, host: host.name, repetition: round.repetition, kernel: round.kernel });
      }
    } else if (plan.order.mode === 'sequential') {
      for (const target of targets) for (let r = 1; r <= plan.repetitions; r++) steps.push({ target, host: host.name, repetition: r });
    } else {
      for (let r = 1; r <= plan.repetitions; r++) {
        for (const target of shuffled(targets, random)) steps.push({ target, host: host.name, repetition: r });
      }
    }
    out.set(host.name, steps);
  }
  return out;
}

/**
 * The kernel rounds of a lab host: one boot each, every target of the host measured in it.
 * Interleaved: repetition 1 in an order drawn with the seed, repetition 2 in the reverse order,
 * and so on (old, new, new, old, ...), so drift over the run favours no kernel and two adjacent
 * rounds of one kernel share a boot. Sequential: every repetition of the first kernel, then the next.
 */
export function kernelRounds(releases: readonly string[], repetitions: number, mode: OrderMode, random: () => number): { kernel: string; repetition: number }[] {
  const out: { kernel: string; repetition: number }[] = [];
  if (mode === 'sequential') {
    for (const kernel of releases) for (let r = 1; r <= repetitions; r++) out.push({ kernel, repetition: r });
    return out;
  }
  const first = shuffled(releases, random);
  for (let r = 1; r <= repetitions; r++) {
    for (const kernel of r % 2 === 1 ? first : [...first].reverse()) out.push({ kernel, repetition: r });
  }
  return out;
}

export function drawSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

