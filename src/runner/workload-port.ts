/**
 * What the runner needs of a workload: prepare it in a guest, run it, and say what it measured.
 * UnixBench (unixbench-workload.ts) is the workload of every suite; shell-loop-probe
 * (workloads/probe/, adapted in probe-workload.ts) is a seconds-long real measurement that checks
 * hosts, guests and the runner itself.
 */
import type { CommandHost } from '../core/host.js';
import type { Guest } from '../core/guest.js';
import type { ProgressSink } from '../core/progress.js';
import type { ResultDoc } from '../results/model.js';
import type { SshSession } from '../remote/session.js';
import type { ScheduledStep } from '../suite/order.js';

export interface StepContext {
  step: ScheduledStep;
  resultId: string;
  guest: Guest;
  session: SshSession;
  /** The machine the guest runs on. */
  host: CommandHost;
  /** Local folder of this result: raw files go here, beside result.json. */
  resultDir: string;
  progress: ProgressSink;
  signal: AbortSignal;
}

export interface WorkloadOutcome {
  /** Seconds the benchmark itself ran (for the runner-overhead figure). */
  workloadSeconds: number;
  /** Headline number for progress lines (UnixBench: the last pass's Index Score). */
  score?: number;
  /** What the score is: "Index Score", "loops/s". */
  scoreLabel?: string;
  /** Raw files written into resultDir. */
  rawFiles: string[];
  /** Workload-specific fields of the result document (unixbench, manifest, workload version). */
  fields: Partial<ResultDoc> & Record<string, unknown>;
}

export interface RunnerWorkload {
  /** "unixbench" or "shell-loop-probe". */
  readonly name: string;
  readonly version: string;
  readonly options: Record<string, unknown>;
  /** Seconds a run takes on a guest with `cpus` CPUs, before anything is measured. */
  estimateSeconds(cpus: number): number;
  /** Install what the workload needs in the guest (UnixBench: upload and build). */
  prepare(ctx: StepContext): Promise<void>;
  run(ctx: StepContext): Promise<WorkloadOutcome>;
}

/** A result as the runner writes it: a ResultDoc, whose workload may be the probe. */
export type RunnerResultDoc = Omit<ResultDoc, 'workload'> & { workload: { name: string; version: string; options: Record<string, unknown> } };

/** Writes one finished result (ok or failed) into the run directory, atomically. */
export type ResultWriter = (runDir: string, doc: RunnerResultDoc) => Promise<string>;
