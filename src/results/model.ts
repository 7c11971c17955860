/**
 * One result: one (target, workload, repetition). Stored as results/<run-id>/<result-id>/result.json
 * with the raw files beside it. The schema carries a version; readers refuse versions they do not know.
 */
import type { Method, UnixBenchOptions } from '../core/targets.js';
import type { EnvironmentManifest } from '../core/manifest.js';
import type { UnixBenchReport } from '../workloads/unixbench/model.js';

export const RESULT_SCHEMA_VERSION = 1 as const;

export type { EnvironmentManifest };

/** The lab host's kernel a result was measured under (suites with `kernels:`), and how it was booted. */
export interface HostKernelRecord {
  /** `uname -r` on the host, verified after the boot. */
  release: string;
  /** already-running: the host ran it when its round began (no reboot). */
  boot: 'grub-reboot' | 'kexec' | 'already-running';
  /** From asking for the reboot to the verified kernel. */
  bootSeconds?: number;
  bootId: string;
  /** Position in the suite's kernels.releases (0 = the baseline); -1 when not listed. */
  position: number;
}

export type ResultMethod = Method | 'published';

export interface PublishedOrigin {
  source: string;
  conditions: Record<string, string>;
  /** The tool that produced the numbers ("PerfKitBenchmarker", "Phoronix Test Suite") and its version where the file says. */
  tool?: string;
  toolVersion?: string;
  /** The imported file's name (a copy is kept in the set's folder). */
  file?: string;
  /** What the importer found that is not a recomputed figure: missing tests, assumptions, ignored records. */
  findings?: string[];
}

export interface ResultDoc {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  /** Unique within the run: "<target>-r<repetition>". */
  id: string;
  runId: string;
  target: {
    name: string;
    method: ResultMethod;
    /** Suite host name ("local", or a remote host's name). */
    host: string;
    /** Column label for reports; defaults to the target name. */
    label?: string;
  };
  workload: { name: 'unixbench'; version: string; options: Partial<UnixBenchOptions> };
  repetition: number;
  status: 'ok' | 'failed';
  error?: { code: string; message: string; hint?: string };
  startedAt: string;
  finishedAt: string;
  /** A KVM target that ran under TCG: never presented as a KVM number. */
  emulated: boolean;
  /** Published or imported data (the 2011 table, another tool's results): where it came from and under which conditions. */
  published?: PublishedOrigin;
  unixbench?: UnixBenchReport;
  /** Inside the guest. */
  manifest?: EnvironmentManifest;
  /** The machine the guest ran on. */
  hostManifest?: EnvironmentManifest;
  guestFacts?: Record<string, unknown>;
  hostKernel?: HostKernelRecord;
  /** File names (relative to the result folder) of raw outputs kept beside result.json. */
  rawFiles: string[];
}

/** A set of results read from one input (a run directory, a result set, a folder of raw output). */
export interface ResultSet {
  /** Where it came from, for messages. */
  source: string;
  /** Short name: the run id, "reference-2011", or the folder name. */
  name: string;
  results: ResultDoc[];
}
