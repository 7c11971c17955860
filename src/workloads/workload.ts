/**
 * What runs in a guest. A workload is prepared once per guest (install, build), run as often as
 * the suite asks (each run brings its raw files back to a local folder before anything else
 * happens, so nothing measured is lost), and its raw output is parsed separately, so stored raw
 * files can be parsed again later. UnixBench is the first; sysbench or stress-ng fit the same shape.
 */
import type { ProgressSink } from '../core/progress.js';
import type { SshSession } from '../remote/session.js';

export interface Workload<Prepared, Options, Raw, Parsed> {
  readonly name: string;
  /** The version the workload reports for results. */
  readonly version: string;
  prepare(session: SshSession, onProgress?: ProgressSink): Promise<Prepared>;
  run(session: SshSession, request: WorkloadRunRequest<Prepared, Options>, onProgress?: ProgressSink): Promise<Raw>;
  parse(raw: Raw): Parsed;
}

export interface WorkloadRunRequest<Prepared, Options> {
  prepared: Prepared;
  options: Options;
  /** Unique per (run, target, repetition): names the run on the target; reattaching uses it. */
  tag: string;
  /** Where the raw files go on this machine. */
  localDir: string;
  /** CPUs the guest can really use (default copy count). */
  cpus: number;
  signal?: AbortSignal;
  /** Poll interval while following (default 5 s). */
  pollMs?: number;
  /** Called when the first test starts (for the harness-cost benchmark and logs). */
  onFirstTest?: () => void;
}
