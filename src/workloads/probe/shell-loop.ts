/**
 * shell-loop-probe (`virtbench run --workload shell-loop-probe`): a real, seconds-long
 * measurement any guest with /bin/sh can run over SSH: it counts shell loop iterations for a
 * fixed time. It checks hosts, guests and the runner itself (ordering, interrupt and resume,
 * failures, several hosts) where building UnixBench would take minutes. It is not a benchmark to
 * compare methods with, and its results say so by name.
 */
import { WorkloadError } from '../../core/errors.js';
import type { ProgressSink } from '../../core/progress.js';
import type { SshSession } from '../../remote/session.js';
import type { Workload, WorkloadRunRequest } from '../workload.js';

export const PROBE_NAME = 'shell-loop-probe';
export const PROBE_VERSION = '1';
/** The file the probe's output is kept in, beside result.json. */
export const PROBE_FILE = 'probe.txt';

const SCRIPT = 'end=$(( $(date +%s) + $1 )); n=0; while [ "$(date +%s)" -lt "$end" ]; do n=$((n+1)); done; echo "loops=$n seconds=$1 kernel=$(uname -r)"';

export interface ShellLoopOptions {
  seconds: number;
}

export interface ShellLoopRaw {
  /** What the loop printed. */
  stdout: string;
  /** Seconds the command took, as seen from here. */
  workloadSeconds: number;
}

export interface ShellLoopParsed {
  loops: number;
  seconds: number;
  loopsPerSecond: number;
  kernel: string;
}

/** The command line the probe runs in the guest (for --dry-run). */
export function probeCommandLine(seconds: number): string {
  return `${PROBE_NAME}: sh -c <loop> probe ${seconds}`;
}

export class ShellLoopProbeWorkload implements Workload<void, ShellLoopOptions, ShellLoopRaw, ShellLoopParsed> {
  readonly name = PROBE_NAME;
  readonly version = PROBE_VERSION;

  constructor(private readonly guestName: string) {}

  async prepare(session: SshSession): Promise<void> {
    const r = await session.exec(['sh', '-c', 'command -v date && command -v uname'], { timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new WorkloadError('PROBE_PREREQUISITES', `${this.guestName}: date or uname missing in the guest`, { hint: 'install coreutils in the guest' });
  }

  async run(session: SshSession, request: WorkloadRunRequest<void, ShellLoopOptions>, onProgress?: ProgressSink): Promise<ShellLoopRaw> {
    const { seconds } = request.options;
    onProgress?.({ subject: this.guestName, step: 'run', message: `probe for ${seconds} s`, remainingSeconds: seconds });
    const t0 = Date.now();
    const r = await session.exec(['sh', '-c', SCRIPT, 'probe', String(seconds)], { timeoutMs: (seconds + 60) * 1000, signal: request.signal });
    const workloadSeconds = (Date.now() - t0) / 1000;
    if (r.exitCode !== 0 || !/loops=\d+ seconds=\d+ kernel=\S+/.test(r.stdout)) {
      throw new WorkloadError('PROBE_FAILED', `${this.guestName}: the probe exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`, { hint: 'see runner.log in the result folder' });
    }
    return { stdout: r.stdout, workloadSeconds };
  }

  parse(raw: ShellLoopRaw): ShellLoopParsed {
    const m = /loops=(\d+) seconds=(\d+) kernel=(\S+)/.exec(raw.stdout);
    if (!m) throw new WorkloadError('PROBE_FAILED', `${this.guestName}: the probe printed no loop count`, { hint: 'see runner.log in the result folder' });
    const loops = Number(m[1]);
    const seconds = Number(m[2]);
    return { loops, seconds, loopsPerSecond: loops / seconds, kernel: m[3]! };
  }
}
