/**
 * What a step made, to be undone in reverse order whatever happens (success, failure, Ctrl-C).
 * Each undo runs even when an earlier one failed; failures are collected, not thrown, so one
 * stuck guest does not keep the others alive.
 */
export interface CleanupFailure {
  what: string;
  error: Error;
}

export class CleanupStack {
  private readonly stack: { what: string; undo: () => Promise<void> }[] = [];

  push(what: string, undo: () => Promise<void>): void {
    this.stack.push({ what, undo });
  }

  get size(): number {
    return this.stack.length;
  }

  /** Undo everything, newest first; each undo is given at most timeoutMs. */
  async run(timeoutMs = 300_000): Promise<CleanupFailure[]> {
    const failures: CleanupFailure[] = [];
    while (this.stack.length > 0) {
      const { what, undo } = this.stack.pop()!;
      try {
        await withTimeout(undo(), timeoutMs, what);
      } catch (e) {
        failures.push({ what, error: e instanceof Error ? e : new Error(String(e)) });
      }
    }
    return failures;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
