/** shell-loop-probe (workloads/probe/shell-loop.ts) as the runner's workload: its output kept beside result.json. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROBE_FILE, PROBE_NAME, PROBE_VERSION, ShellLoopProbeWorkload } from '../workloads/probe/shell-loop.js';
import type { RunnerWorkload, StepContext, WorkloadOutcome } from './workload-port.js';

export class ShellLoopProbe implements RunnerWorkload {
  readonly name = PROBE_NAME;
  readonly version = PROBE_VERSION;
  readonly options: Record<string, unknown>;

  constructor(readonly seconds = 2) {
    this.options = { seconds };
  }

  estimateSeconds(): number {
    return this.seconds + 1;
  }

  async prepare(ctx: StepContext): Promise<void> {
    await new ShellLoopProbeWorkload(ctx.guest.name).prepare(ctx.session);
  }

  async run(ctx: StepContext): Promise<WorkloadOutcome> {
    const probe = new ShellLoopProbeWorkload(ctx.guest.name);
    const raw = await probe.run(ctx.session, { prepared: undefined, options: { seconds: this.seconds }, tag: ctx.resultId, localDir: ctx.resultDir, cpus: 1, signal: ctx.signal }, ctx.progress);
    await writeFile(join(ctx.resultDir, PROBE_FILE), raw.stdout);
    const parsed = probe.parse(raw);
    return {
      workloadSeconds: raw.workloadSeconds,
      score: Math.round(parsed.loops / this.seconds),
      scoreLabel: 'shell loops/s (probe, not a benchmark)',
      rawFiles: [PROBE_FILE],
      fields: { probe: { loops: parsed.loops, seconds: this.seconds, loopsPerSecond: parsed.loops / this.seconds, kernel: parsed.kernel } } as Record<string, unknown>,
    };
  }
}
