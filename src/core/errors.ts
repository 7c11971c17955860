/**
 * Every error a user can see is a VirtbenchError: a stable code, a message that says
 * what failed and where, and a hint that says what to do. The CLI prints these without
 * a stack trace (with --debug, with one).
 */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

export class VirtbenchError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly location?: ErrorLocation;

  constructor(code: string, message: string, opts: { hint?: string; location?: ErrorLocation; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
    this.location = opts.location;
  }

  /** "file:line: field: message" followed by the hint, as the CLI prints it. */
  describe(): string {
    const where = formatLocation(this.location);
    const head = where ? `${where}: ${this.message}` : this.message;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

export function formatLocation(loc: ErrorLocation | undefined): string {
  if (!loc) return '';
  const parts: string[] = [];
  if (loc.file) parts.push(loc.line !== undefined ? `${loc.file}:${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}` : loc.file);
  else if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.field) parts.push(`field '${loc.field}'`);
  return parts.join(': ');
}

/** Bad input from the user: a suite file, a CLI argument, a results folder. Exit code 2. */
export class InputError extends VirtbenchError {}

/** Text that is not what a parser expected (UnixBench output, a transcript, a CSV). */
export class ParseError extends VirtbenchError {}

/** SSH: connection, authentication, host key, command failures on a remote machine. */
export class RemoteError extends VirtbenchError {}

/** An SSH error the far end going away (a crash, a reboot) gives: the connection died, or a command never returned. */
export function sshPeerLost(e: unknown): e is RemoteError {
  return e instanceof RemoteError && (e.code === 'SSH_CONNECTION_LOST' || e.code === 'SSH_EXEC_TIMEOUT');
}

/** A provider could not provision, reach or destroy a guest. */
export class ProviderError extends VirtbenchError {}

/** The host lacks something a provider or workload needs (a package, a kernel feature). */
export class PrerequisiteError extends VirtbenchError {}

/** A workload failed inside the guest (UnixBench aborted, empty pass, disk full). */
export class WorkloadError extends VirtbenchError {}

/** The run was interrupted (SIGINT/SIGTERM) or cancelled through an AbortSignal. */
export class InterruptedError extends VirtbenchError {
  constructor(message = 'interrupted') {
    super('INTERRUPTED', message, { hint: 'resume with: virtbench run --resume <run-dir>' });
  }
}

export function isVirtbenchError(e: unknown): e is VirtbenchError {
  return e instanceof VirtbenchError;
}
