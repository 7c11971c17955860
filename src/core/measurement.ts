/**
 * The measurement record: every number a result holds, as one flat record built once from a
 * result document (results/measurements.ts). Analysis, tables, charts, verdict pages and exports
 * all read these records; nothing else walks a workload's own output to find numbers.
 */
import type { EnvironmentManifest } from './manifest.js';

/** run: one value per run (UnixBench's printed score); iteration: one of its passes within a run. */
export type MeasurementLevel = 'run' | 'iteration';

/**
 * What a workload reports for one number. kind 'score': a value that combines the 'test' values
 * of its run by geometric mean (UnixBench's Index Score); a summary shows it after the tests.
 */
export interface WorkloadMeasurement {
  test: string;
  kind: 'test' | 'score';
  level: MeasurementLevel;
  /** Copies of the pass (UnixBench's 1-copy and N-copy runs measure different things). */
  copies: number;
  cpusInSystem?: number;
  /** The index table it belongs to, where the workload has several. */
  category?: string;
  /** The value as the workload printed it, with its unit (run level), or one pass's score (iteration level). */
  raw?: { value: number; unit?: string; seconds?: number; samples?: number };
  /** The workload's baseline for the index, and the result it indexed. */
  baseline?: number;
  indexed?: number;
  /** Higher is better; absent where the workload has no index for this number. */
  index?: number;
  /** 1-based pass number (iteration level). */
  iteration?: number;
  /** The score covers only the tests that ran (UnixBench's "Partial Index"). */
  partial?: boolean;
  /** Where the test sits in the workload's canonical listing (rows are sorted by it). */
  order: number;
}

/** The manifest fields every record carries (what a reader groups, filters or warns on). */
export type ManifestFields = Pick<EnvironmentManifest, 'kernelRelease' | 'os' | 'cpuModel' | 'cpusOnline' | 'arch'>;

export interface Measurement extends WorkloadMeasurement {
  /** The result set (run id, "reference-2011", a folder name) and where it was read from. */
  set: string;
  source: string;
  /** Result id and run id. */
  result: string;
  run: string;
  target: string;
  /** Column label: target.label, else target.name. */
  label: string;
  method: string;
  host: string;
  repetition: number;
  /** status 'ok' (failed results keep the passes they finished, for exports only). */
  ok: boolean;
  /** A KVM target that ran under TCG: never pooled with, or presented as, a KVM number. */
  emulated: boolean;
  published: boolean;
  workload: string;
  workloadVersion: string;
  manifest?: Partial<ManifestFields>;
}
