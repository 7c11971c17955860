import type { CommandHost, PlannedCommand } from './host.js';
import type { ProgressSink } from './log.js';
import type { Method, TargetSpec } from './targets.js';

/** How to reach a guest over SSH. */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
  /** OpenSSH public host key line to pin ("ssh-ed25519 AAAA..."). */
  hostKey?: string;
  /** Accept an unknown key once and record it (the decision is recorded in the result). */
  trustOnFirstUse?: boolean;
  /** Reach the guest through this machine (OpenVZ through its host). */
  jump?: SshEndpoint;
}

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
export interface GuestFacts {
  kernel?: string;
  cpusVisible?: number;
  /** CPUs the guest can really use (cpuset/quota in a container); the UnixBench copy count. */
  cpusUsable?: number;
  memoryMiB?: number;
  /** Method-specific: LXC config text, QEMU command line, OpenVZ container config, versions... */
  [key: string]: unknown;
}

export interface Guest {
  name: string;
  method: Method;
  ssh: SshEndpoint;
  facts: GuestFacts;
  /** True when a KVM target ran under TCG emulation: never presented as a KVM number. */
  emulated: boolean;
  /** Provider-owned, JSON-serialisable data needed to destroy it, also after a crash. */
  handle: Record<string, unknown>;
}

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
