/**
 * The Provider contract: what every virtualization method implements (provision, destroy, a
 * dry-run plan, doctor checks) and what it is given to act with; and the ProviderDescriptor, the
 * one object per method (src/providers/<method>/descriptor.ts, listed in providers/registry.ts)
 * that carries everything else the suite, the runner and the CLI need to know about a method.
 */
import type { z } from 'zod';
import type { Guest } from './guest.js';
import type { CommandHost, PlannedCommand } from './host.js';
import type { ProgressSink } from './progress.js';
import type { Method, SshTargetAddress, TargetSpec } from './targets.js';

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

/** Where a method can put its guests: this machine (the controller) and a remote host. */
export type Placement = { ok: true } | { ok: false; why: string };

/** A suite mistake a method finds in one of its own validated targets (path below the target). */
export interface TargetIssue {
  path: (string | number)[];
  message: string;
}

/** A static guest address on a bridge, checked by the suite against its subnet and its neighbours. */
export interface GuestAddress {
  /** The target's field holding it ("network" for LXC, "net" for KVM). */
  field: string;
  bridge: string;
  subnet: string;
  address: string;
}

/** What turning a validated suite target into a TargetSpec may need. */
export interface SpecContext {
  /** The remote host the target is on, when it is not this machine. */
  remote?: SshTargetAddress;
  /** A path of the suite made absolute (relative to the suite file, ~/ expanded). */
  resolvePath: (p: string) => string;
}

/** A guest as an ownership record or run.json remembers it: enough to destroy it after a crash. */
export interface RecordedGuest {
  method: Method;
  name: string;
  handle: Record<string, unknown>;
  /** The ownership record's key, when it came from one. */
  key?: string;
}

export interface DestroyContext {
  /** Where the guest lives. */
  host: CommandHost;
  /** The run that made it, when known (run.json). */
  runId?: string;
  progress: ProgressSink;
}

/**
 * One virtualization method, whole: its part of the suite schema, its suite checks, its dry-run
 * notes, its time estimate, its provider, destroy from a record, doctor and where it can run.
 * Nothing outside src/providers/ switches on the method name: it asks the method's descriptor.
 * `R` is the method's validated suite entry, `S` its TargetSpec.
 */
export interface ProviderDescriptor<S extends TargetSpec = TargetSpec, R extends { method: Method; name: string; host: string; label?: string } = { method: Method; name: string; host: string; label?: string; limits: Record<string, unknown> }> {
  readonly method: S['method'];
  /** The method's suite target entry (strict, defaults filled). */
  readonly targetSchema: z.ZodType<R>;
  /** Mistakes the schema cannot see field by field. */
  checkTarget?(target: R): TargetIssue[];
  /** The static address the target asks for on a bridge, if any. */
  guestAddress?(target: R): GuestAddress | undefined;
  /** The validated entry as the runner's TargetSpec: defaults filled, paths absolute. */
  toSpec(target: R, base: Pick<S, 'name' | 'host' | 'limits'>, ctx: SpecContext): S;
  /** True when the target's CPU count is the host's, read when the run starts (KVM `cpus: all`). */
  cpusFromHost?(target: R): boolean;
  /** The spec with the host's CPU count filled in (for a target whose cpusFromHost is true). */
  withHostCpus?(spec: S, cpus: number): S;
  /** CPUs the spec itself gives the guest (KVM's -smp), when it does. */
  vcpus?(spec: S): number | undefined;
  /** Lines the dry run prints under the target, before its commands. */
  planNotes?(spec: S): string[];
  /** Seconds of provision + build + collect + destroy before anything is measured (a prior). */
  overheadSeconds(spec: S): number;
  /** This machine (the controller) and a remote host: whether the method can put guests there. */
  readonly placement: {
    local: Placement;
    remote: Placement;
    /** The suite's message when a target of this method is left on this machine but cannot run there. */
    localMessage?: string;
    /** Where doctor checks it instead, when it cannot run on this machine. */
    doctorElsewhere?: string;
  };
  /** A real provider of this method. */
  createProvider(): Provider<S>;
  /**
   * Destroy a guest from what its ownership record or run.json says, after a crash too. Proves
   * first that what the record names is the harness's own; never deletes or kills anything else.
   * Returns what was done, for the user.
   */
  destroyFromRecord(guest: RecordedGuest, ctx: DestroyContext): Promise<string>;
  /**
   * The folder a guest of this run keeps on a remote host, when the method keeps one there (KVM's
   * overlay, sockets and pid file): run.json may name it besides the run's own .work folder.
   */
  remoteWorkDir?(runId: string, guestName: string): string;
  doctor(host: CommandHost): Promise<DoctorCheck[]>;
}
