/**
 * Wait for a rebooted lab host: reconnect (the pinned host key is checked on every attempt)
 * until it answers from a new boot (boot_id changed), then report the kernel it runs. What was
 * seen last is kept for the error when the deadline passes.
 */
import { InterruptedError, ProviderError, RemoteError, VirtbenchError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import { probeBoot, type HostBootState } from './boot.js';

export class HostRebootTimeoutError extends ProviderError {
  /** Whether the host was seen down (no SSH) at some point, or kept answering from the old boot. */
  wentDown = false;
}

export interface WaitOptions {
  /** Opens a fresh connection, failing within about deadlineMs. */
  open: (deadlineMs: number) => Promise<CommandHost>;
  hostName: string;
  previousBootId: string;
  /** What the host was asked to boot, for messages. */
  release: string;
  deadlineMs: number;
  /**
   * While the host still answers from the previous boot, give up after this long (a reboot that
   * was perhaps never asked for); once it has been seen down, the whole deadlineMs applies.
   */
  untilDownMs?: number;
  signal: AbortSignal;
  resumeHint: string;
  onSeen?: (what: string) => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

export async function waitForNewBoot(o: WaitOptions): Promise<{ host: CommandHost; state: HostBootState; seconds: number }> {
  const t0 = Date.now();
  let lastSeen = 'nothing yet (the reboot was just asked for)';
  const seen = (what: string) => {
    lastSeen = `${what} (${new Date().toISOString()}, ${((Date.now() - t0) / 1000).toFixed(0)} s after the reboot)`;
    o.onSeen?.(lastSeen);
  };
  let limitMs = Math.min(o.untilDownMs ?? o.deadlineMs, o.deadlineMs);
  let wentDown = false;
  while (Date.now() - t0 < limitMs) {
    if (o.signal.aborted) throw new InterruptedError(`interrupted while waiting for ${o.hostName} to boot ${o.release}`);
    const left = limitMs - (Date.now() - t0);
    let host: CommandHost | undefined;
    try {
      host = await o.open(Math.max(1_000, Math.min(left, 20_000)));
      const state = await probeBoot(host, 20_000);
      if (state.bootId && state.bootId !== o.previousBootId) {
        seen(`SSH answered from a new boot (kernel ${state.release}, boot ${state.bootId})`);
        return { host, state, seconds: (Date.now() - t0) / 1000 };
      }
      seen(`SSH still answered from the previous boot (kernel ${state.release}): the host had not gone down yet`);
      await host.close().catch(() => undefined);
    } catch (e) {
      await host?.close().catch(() => undefined);
      if (e instanceof InterruptedError || o.signal.aborted) throw new InterruptedError(`interrupted while waiting for ${o.hostName} to boot ${o.release}`);
      // A wrong host key does not get better by waiting: another machine answers at that address.
      if (e instanceof RemoteError && /HOST_KEY/.test(e.code)) throw e;
      seen(`SSH: ${e instanceof VirtbenchError ? e.message : (e as Error).message}`.split('\n')[0]!);
      wentDown = true;
      limitMs = o.deadlineMs;
    }
    await sleep(2_000, o.signal);
  }
  const err = new HostRebootTimeoutError(
    'HOST_REBOOT_TIMEOUT',
    `lab host ${o.hostName} did not come back within ${(limitMs / 1000).toFixed(0)} s after being rebooted into kernel ${o.release}; last seen: ${lastSeen}`,
    { hint: `repair the lab host (its console shows whether GRUB, the kernel or sshd stopped it), then: ${o.resumeHint}. Results measured so far are kept`, location: { field: 'kernels.rebootTimeoutSeconds' } },
  );
  err.wentDown = wentDown;
  throw err;
}
