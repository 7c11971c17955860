/**
 * The Provider contract: what every virtualization method implements (provision, destroy, a
 * dry-run plan, doctor checks) and what it is given to act with.
 */
import type { Guest } from './guest.js';
import type { CommandHost, PlannedCommand } from './host.js';
import type { ProgressSink } from './progress.js';
import type { Method, TargetSpec } from './targets.js';

/** The run's SSH identity: a per-run ed25519 key pair written 0600. */
export interface RunKey {
  privateKeyPath: string;
  publicKey: string; // OpenSSH line
}

export interface ProvisionContext {
  /** Where the provider acts (the target's suite host). */
  host: CommandHost;
  runId: string;
  /** A local directory the provider may use for this guest's files (overlays, sockets, logs). */
  workDir: string;
  key: RunKey;
  progress: ProgressSink;
  signal?: AbortSignal;
}

/** What is known about a guest, recorded in every result taken in it. */
export interface DoctorCheck {
  provider: Method | 'unixbench' | 'general';
  what: string;
  ok: boolean;
  detail: string;
  /** What to do when not ok. */
  fix?: string;
}

export interface Provider<S extends TargetSpec = TargetSpec> {
  readonly method: Method;
  /** The exact commands provision and destroy would run, for --dry-run. Runs nothing. */
  plan(spec: S, ctx: ProvisionContext): Promise<PlannedCommand[]>;
  provision(spec: S, ctx: ProvisionContext): Promise<Guest>;
  /** Idempotent: destroying a half-made or already-destroyed guest succeeds. */
  destroy(guest: Guest, ctx: ProvisionContext): Promise<void>;
  doctor(host: CommandHost): Promise<DoctorCheck[]>;
}
