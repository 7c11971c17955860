/**
 * shell-loop-probe: a real, seconds-long measurement that any guest with /bin/sh can run over
 * SSH (counts shell loop iterations for a fixed time). It exists to exercise the runner
 * (ordering, interrupt/resume, failures, several hosts) where building UnixBench would take
 * minutes; it is not a benchmark to compare methods with, and its results say so by name.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkloadError } from '../core/errors.js';
import type { RunnerWorkload, StepContext, WorkloadOutcome } from './workload-port.js';

const SCRIPT = 'end=$(( $(date +%s) + $1 )); n=0; while [ "$(date +%s)" -lt "$end" ]; do n=$((n+1)); done; echo "loops=$n seconds=$1 kernel=$(uname -r)"';

export class ShellLoopProbe implements RunnerWorkload {
  readonly name = 'shell-loop-probe';
  readonly version = '1';
  readonly options: Record<string, unknown>;

  constructor(readonly seconds = 2) {
    this.options = { seconds };
  }

  estimateSeconds(): number {
    return this.seconds + 1;
  }

  async prepare(ctx: StepContext): Promise<void> {
    const r = await ctx.session.exec(['sh', '-c', 'command -v date && command -v uname'], { timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new WorkloadError('PROBE_PREREQUISITES', `${ctx.guest.name}: date or uname missing in the guest`, { hint: 'install coreutils in the guest' });
  }

  async run(ctx: StepContext): Promise<WorkloadOutcome> {
    ctx.progress({ subject: ctx.guest.name, step: 'run', message: `probe for ${this.seconds} s`, remainingSeconds: this.seconds });
    const t0 = Date.now();
    const r = await ctx.session.exec(['sh', '-c', SCRIPT, 'probe', String(this.seconds)], { timeoutMs: (this.seconds + 60) * 1000, signal: ctx.signal });
    const workloadSeconds = (Date.now() - t0) / 1000;
    const m = /loops=(\d+) seconds=(\d+) kernel=(\S+)/.exec(r.stdout);
    if (r.exitCode !== 0 || !m) {
      throw new WorkloadError('PROBE_FAILED', `${ctx.guest.name}: the probe exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`, { hint: 'see runner.log in the result folder' });
    }
    await writeFile(join(ctx.resultDir, 'probe.txt'), r.stdout);
    const loops = Number(m[1]);
    return {
      workloadSeconds,
      score: Math.round(loops / this.seconds),
      scoreLabel: 'shell loops/s (probe, not a benchmark)',
      rawFiles: ['probe.txt'],
      fields: { probe: { loops, seconds: this.seconds, loopsPerSecond: loops / this.seconds, kernel: m[3] } } as Record<string, unknown>,
    };
  }
}
