/**
 * A validated suite: what the runner executes. Every default is filled in, every path is
 * absolute, every name is checked; nothing here needs the YAML any more.
 */
import type { SshTargetAddress, TargetSpec, UnixBenchOptions } from '../core/targets.js';

export interface SuiteHost {
  /** "local" is this machine; any other name is a remote machine reached over SSH. */
  name: string;
  kind: 'local' | 'remote';
  ssh?: SshTargetAddress;
}

export interface PlannedTarget {
  spec: TargetSpec;
  /** Column label in reports (defaults to the target name). */
  label: string;
  /**
   * KVM `cpus: all`: as many vCPUs as the host has CPUs (the slides' -smp 8 on a 4-core/8-thread
   * box). Resolved on the host at run time; spec.cpus holds 1 until then.
   */
  cpusFromHost: boolean;
  /** 1-based line of the target in the suite file, for messages at run time. */
  line?: number;
}

export type WorkloadProfile = 'default' | 'short' | 'custom';

export interface PlannedWorkload {
  name: 'unixbench';
  /** default: `./Run` with no arguments as in 2011; short: SHORT_PROFILE; custom: the suite's own. */
  profile: WorkloadProfile;
  options: UnixBenchOptions;
}

export interface AdaptiveRepetitions {
  min: number;
  max: number;
  until: 'decided';
  /** Wall-time budget for the whole run, in minutes. */
  budgetMinutes?: number;
}

export type OrderMode = 'interleaved' | 'sequential';

/** Host kernels measured on one remote host, one reboot per round (see suite/order.ts). */
export interface KernelPlan {
  host: string;
  /** As `uname -r` prints them; the first is the baseline. */
  releases: string[];
  boot: 'grub-reboot' | 'kexec';
  rebootTimeoutSeconds: number;
}

export interface RunPlan {
  /** Absolute path of the suite file. */
  suiteFile: string;
  name: string;
  description?: string;
  hosts: SuiteHost[];
  targets: PlannedTarget[];
  workload: PlannedWorkload;
  /** Rounds scheduled at the start (with adaptive repetitions: the minimum). */
  repetitions: number;
  kernels?: KernelPlan;
  /** Adaptive repetitions: more rounds are added while compared ratios are undecided. */
  adaptive?: AdaptiveRepetitions;
  order: {
    mode: OrderMode;
    /** Absent in the suite: drawn when the run starts and recorded in run.json. */
    seed?: number;
  };
}
