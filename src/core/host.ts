/**
 * Where commands run: this machine (src/hosts/local.ts, execa) or a machine over SSH
 * (src/remote/ssh-host.ts). Providers act only through this interface, so LXC and KVM can
 * be driven on a remote host exactly as on the local one, and OpenVZ always is.
 * Commands are argument arrays, never shell strings.
 */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  /** Streamed to stdin instead of `input` (a tar archive), EOF at its end. */
  inputStream?: NodeJS.ReadableStream;
  env?: Record<string, string>;
  cwd?: string;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  signal?: AbortSignal;
}

export interface CommandHost {
  /** "local" or "user@address:port". */
  readonly name: string;
  readonly isLocal: boolean;
  run(argv: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  writeFile(path: string, data: string | Uint8Array, mode?: number): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** One command a provider would run, for `virtbench run --dry-run`. */
export interface PlannedCommand {
  host: string;
  argv: string[];
  /** Why: "create the container", "start QEMU". */
  purpose: string;
}
