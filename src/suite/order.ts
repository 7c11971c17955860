import { seededRng } from '../core/random.js';
import type { RunPlan } from './plan.js';

/** One benchmark to take: a target at a repetition (1-based). Its result id is "<target>-r<repetition>". */
export interface ScheduledStep {
  target: string;
  host: string;
  repetition: number;
}

export function resultIdOf(step: { target: string; repetition: number }): string {
  return `${step.target}-r${step.repetition}`;
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
    if (plan.order.mode === 'sequential') {
      for (const target of targets) for (let r = 1; r <= plan.repetitions; r++) steps.push({ target, host: host.name, repetition: r });
    } else {
      for (let r = 1; r <= plan.repetitions; r++) {
        for (const target of shuffle(targets, random)) steps.push({ target, host: host.name, repetition: r });
      }
    }
    out.set(host.name, steps);
  }
  return out;
}

export function drawSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

