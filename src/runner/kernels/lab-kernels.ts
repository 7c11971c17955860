/**
 * A lab host's kernels over a run: boot the kernel each round asks for, verify it, record every
 * boot in run.json, and leave the host on its default kernel.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InterruptedError, ProviderError, sshPeerLost } from '../../core/errors.js';
import type { RunKey } from '../../core/provider.js';
import type { CommandHost } from '../../core/host.js';
import type { HostKernelRecord } from '../../results/model.js';
import { SshHost } from '../../remote/ssh-host.js';
import type { KernelPlan, SuiteHost } from '../../suite/plan.js';
import type { EventSink } from '../progress/events.js';
import type { KernelRunState, RunStateFile } from '../run-state.js';
import { checkSwitchable, clearOneTimeEntry, probeBoot, readGrub, rebootToDefault, startBoot, type GrubView } from './boot.js';
import { HostRebootTimeoutError, waitForNewBoot } from './wait.js';

export const KERNELS_LOG = 'kernels.log';

/** How a connection ends when the host goes down (or hangs) under a command. */
export type OpenHost = (host: SuiteHost, key: RunKey, opts?: { deadlineMs?: number }) => Promise<CommandHost>;

/**
 * The kernels of one lab host over a run: before each round, boot the kernel the round asks for
 * (unless it already runs), verify it with `uname -r`, and at the end leave the host on its
 * default kernel. Every boot is written to run.json before and after, so a killed run resumes
 * knowing what it asked for.
 */
export class LabKernels {
  private grub?: GrubView;
  current?: HostKernelRecord;
  /** The open connection to the host after the last switch; undefined while it is down or lost. */
  live?: CommandHost;

  constructor(private readonly d: { plan: KernelPlan; suiteHost: SuiteHost; key: RunKey; state: RunStateFile; emit: EventSink; signal: AbortSignal; openHost: OpenHost; runDir: string }) {}

  private get record(): KernelRunState | undefined {
    return this.d.state.state.kernels;
  }

  /** The suite host with the key pinned at the first connection (trustOnFirstUse pins once per run, not per boot). */
  suiteHost(): SuiteHost {
    const pinned = this.record?.hostKey;
    const ssh = this.d.suiteHost.ssh;
    return pinned && ssh ? { ...this.d.suiteHost, ssh: { ...ssh, hostKey: pinned, trustOnFirstUse: false } } : this.d.suiteHost;
  }

  private say(message: string): void {
    this.d.emit({ type: 'warning', host: this.d.plan.host, message });
    this.log(message);
  }

  /** kernels.log in the run directory: every switch, and what was seen of the host while waiting for it (why a reboot took so long). */
  private readonly log = (line: string): void => {
    const text = `${new Date().toISOString()} ${line}\n`;
    // One write after another, so the lines stay in order.
    this.logged = this.logged.then(() => appendFile(join(this.d.runDir, KERNELS_LOG), text)).catch(() => undefined);
  };
  private logged: Promise<void> = Promise.resolve();

  /** Resolves once every kernels.log line so far is on disk. */
  flushLog(): Promise<void> {
    return this.logged;
  }

  /** A previous attempt left a reboot unfinished (killed, or the host did not come back): the first connection gets the reboot deadline. */
  openDeadlineMs(): number | undefined {
    const last = this.record?.boots.at(-1);
    return last && last.status !== 'ok' && last.status !== 'wrong-kernel' ? this.d.plan.rebootTimeoutSeconds * 1000 : undefined;
  }

  /**
   * Read GRUB's menu, check every kernel is bootable, record the default kernel and the pinned
   * key. On resume after a reboot that a killed run did not see through, wait for it first.
   * Returns the host to use (a new connection when it waited).
   */
  async start(host: CommandHost): Promise<CommandHost> {
    this.live = host;
    let now = await probeBoot(host);
    this.log(`${this.d.plan.host} answers on kernel ${now.release} (boot ${now.bootId})`);
    const last = this.record?.boots.at(-1);
    if (last?.status === 'booting' && now.bootId === last.fromBootId) {
      this.say(`${this.d.plan.host} has not gone down yet for the reboot into ${last.release} that the previous attempt asked for: waiting for it`);
      await host.close().catch(() => undefined);
      try {
        const back = await waitForNewBoot({
          open: (deadlineMs) => this.d.openHost(this.suiteHost(), this.d.key, { deadlineMs }),
          // The killed run may have died before it asked for the reboot: a minute of answers from the
          // old boot tells. Once the host has gone down, it gets the whole reboot deadline.
          hostName: this.d.plan.host, previousBootId: last.fromBootId, release: last.release, deadlineMs: this.d.plan.rebootTimeoutSeconds * 1000, untilDownMs: 60_000,
          signal: this.d.signal, resumeHint: `virtbench run --resume ${this.d.runDir}`, onSeen: this.log,
        });
        host = back.host;
        now = back.state;
      } catch (e) {
        if (!(e instanceof HostRebootTimeoutError) || e.wentDown) throw e;
        this.say(`${this.d.plan.host} did not go down within a minute: the previous attempt died before its reboot; switching again`);
        host = await this.d.openHost(this.suiteHost(), this.d.key, { deadlineMs: 30_000 });
        now = await probeBoot(host);
      }
      this.live = host;
    }
    if (last?.status === 'booting') {
      await this.d.state.update((s) => {
        const b = s.kernels!.boots.at(-1)!;
        b.status = 'interrupted';
        b.seen = now.release;
      });
    }
    this.grub = await readGrub(host);
    await checkSwitchable(host, this.grub, this.d.plan.releases, this.d.plan.boot);
    const presented = host instanceof SshHost ? host.session.hostKeyDecision?.presented : undefined;
    await this.d.state.update((s) => {
      s.kernels ??= { host: this.d.plan.host, boots: [] };
      s.kernels.defaultKernel = this.grub!.defaultRelease;
      s.kernels.hostKey ??= this.d.suiteHost.ssh?.hostKey ?? presented;
    });
    this.current = { release: now.release, boot: 'already-running', bootId: now.bootId, position: this.d.plan.releases.indexOf(now.release) };
    return host;
  }

  /** The host runs `release` when this returns; the host object may be a new connection. */
  async ensure(host: CommandHost, release: string): Promise<CommandHost> {
    if (!this.grub) host = await this.start(host);
    const position = this.d.plan.releases.indexOf(release);
    // The host may have rebooted on its own since the last step (a panic, a watchdog): its kernel is
    // then whatever GRUB booted, never taken on trust from the last switch.
    const now = await probeBoot(host);
    if (this.current && now.bootId !== this.current.bootId) {
      this.say(`${this.d.plan.host} rebooted on its own since the last step (it now runs kernel ${now.release}, booted as ${now.bootId})`);
      this.current = { release: now.release, boot: 'already-running', bootId: now.bootId, position: this.d.plan.releases.indexOf(now.release) };
    }
    if (this.current?.release === release) {
      this.current = { ...this.current, position };
      return host;
    }
    const method = this.d.plan.boot;
    const previous = now.bootId;
    const startedAt = new Date().toISOString();
    await this.d.state.update((s) => {
      s.kernels!.boots.push({ release, method, startedAt, fromBootId: previous, status: 'booting' });
    });
    const setBoot = (change: (b: KernelRunState['boots'][number]) => void) =>
      this.d.state.update((s) => {
        const b = s.kernels!.boots.at(-1);
        if (b) change(b);
      });
    this.say(`rebooting ${this.d.plan.host} into kernel ${release} (${method}); waiting up to ${this.d.plan.rebootTimeoutSeconds} s`);
    try {
      await startBoot(host, this.grub!, release, method);
    } catch (e) {
      // The host dying while it is asked to reboot is a host that may not come back: it gets the
      // reboot deadline and its error (which names the kernel), not a bare lost connection.
      if (!sshPeerLost(e)) {
        await setBoot((b) => { b.status = 'failed'; b.error = (e as Error).message; });
        throw e;
      }
      this.say(`the connection to ${this.d.plan.host} dropped while asking for the reboot (${e.code}): waiting for it as for the reboot`);
    }
    await host.close().catch(() => undefined);
    this.live = undefined;
    let back: Awaited<ReturnType<typeof waitForNewBoot>>;
    try {
      back = await waitForNewBoot({
        open: (deadlineMs) => this.d.openHost(this.suiteHost(), this.d.key, { deadlineMs }),
        hostName: this.d.plan.host,
        previousBootId: previous,
        release,
        deadlineMs: this.d.plan.rebootTimeoutSeconds * 1000,
        signal: this.d.signal,
        resumeHint: `virtbench run --resume ${this.d.runDir}`,
        onSeen: this.log,
      });
    } catch (e) {
      await setBoot((b) => { b.status = e instanceof InterruptedError ? 'interrupted' : 'failed'; b.error = (e as Error).message; });
      this.current = undefined;
      throw e;
    }
    this.live = back.host;
    this.current = { release: back.state.release, boot: method, bootSeconds: back.seconds, bootId: back.state.bootId, position };
    await setBoot((b) => { b.seconds = back.seconds; b.seen = back.state.release; b.status = back.state.release === release ? 'ok' : 'wrong-kernel'; });
    if (back.state.release !== release) {
      throw new ProviderError('KERNEL_MISMATCH', `lab host ${this.d.plan.host} was rebooted into kernel ${release} (${method}) but runs ${back.state.release}`, {
        hint: `GRUB fell back to another entry or the kernel failed to boot: check the host's console, then virtbench run --resume ${this.d.runDir}`,
        location: { field: 'kernels.releases' },
      });
    }
    this.say(`${this.d.plan.host} runs kernel ${release}: verified with uname -r ${back.seconds.toFixed(0)} s after the reboot`);
    return back.host;
  }

  /**
   * After a step: the host still runs the boot that was verified before it. A host that rebooted
   * (a panic, a watchdog) may have measured under another kernel, so the step's result is not kept as ok.
   */
  async checkStillBooted(host: CommandHost): Promise<void> {
    const expected = this.current;
    if (!expected) return;
    let now: Awaited<ReturnType<typeof probeBoot>>;
    try {
      now = await probeBoot(host);
    } catch (e) {
      // A host that went down mid-step (a panic, a reboot) leaves a dead connection: no proof the
      // step ran under the verified boot, so its result is not kept, and the error says why.
      if (!sshPeerLost(e)) throw e;
      throw new ProviderError('HOST_LOST_DURING_STEP', `lab host ${this.d.plan.host} stopped answering during the step (verified boot ${expected.bootId} on kernel ${expected.release}; ${e.code}: ${e.message})`, {
        hint: `it may have rebooted or crashed: its console or journal (journalctl --list-boots) says which; once it answers, virtbench run --resume ${this.d.runDir} measures the step again under kernel ${expected.release}`,
      });
    }
    if (now.bootId === expected.bootId) return;
    throw new ProviderError('HOST_REBOOTED_DURING_STEP', `lab host ${this.d.plan.host} rebooted during the step (verified boot ${expected.bootId} on kernel ${expected.release}; it now runs ${now.release}, boot ${now.bootId})`, {
      hint: `its console or journal (journalctl --list-boots) says why; virtbench run --resume ${this.d.runDir} measures the step again under kernel ${expected.release}`,
    });
  }

  /**
   * Leave the host booting its default kernel: the one-time entry cleared and, if another kernel
   * runs, a reboot into the default (waited for and verified, unless the run was interrupted).
   * Returns the host to use afterwards (undefined when it was rebooted and not waited for).
   */
  async restore(host: CommandHost | undefined): Promise<CommandHost | undefined> {
    const wanted = this.record?.defaultKernel;
    if (!host) {
      this.say(`${this.d.plan.host} could not be reached to restore its default kernel${wanted ? ` ${wanted}` : ''}; a one-time GRUB entry is consumed as it boots, so the next boot after repair is the default`);
      return undefined;
    }
    try {
      await clearOneTimeEntry(host);
      // What runs now, asked of the host: after a failed start or an unexpected reboot, the last
      // switch does not tell.
      const now = await probeBoot(host);
      if (!wanted || now.release === wanted) return host;
      // Written before the reboot, so that a resumed run waits for it rather than finding the host down.
      await this.d.state.update((s) => {
        s.kernels!.boots.push({ release: wanted, method: 'grub-reboot', startedAt: new Date().toISOString(), fromBootId: now.bootId, status: 'booting' });
      });
      const previous = now.bootId;
      await rebootToDefault(host);
      await host.close().catch(() => undefined);
      if (this.d.signal.aborted) {
        this.say(`${this.d.plan.host} is rebooting into its default kernel ${wanted} (not waited for: the run was interrupted)`);
        return undefined;
      }
      this.say(`rebooting ${this.d.plan.host} into its default kernel ${wanted}`);
      const back = await waitForNewBoot({
        open: (deadlineMs) => this.d.openHost(this.suiteHost(), this.d.key, { deadlineMs }),
        hostName: this.d.plan.host, previousBootId: previous, release: wanted, deadlineMs: this.d.plan.rebootTimeoutSeconds * 1000,
        signal: new AbortController().signal, resumeHint: 'check the host', onSeen: this.log,
      });
      this.current = { release: back.state.release, boot: 'grub-reboot', bootSeconds: back.seconds, bootId: back.state.bootId, position: this.d.plan.releases.indexOf(back.state.release) };
      await this.d.state.update((s) => {
        s.kernels!.restored = { release: back.state.release, at: new Date().toISOString() };
        const b = s.kernels!.boots.at(-1);
        if (b?.status === 'booting') Object.assign(b, { status: back.state.release === wanted ? 'ok' : 'wrong-kernel', seconds: back.seconds, seen: back.state.release });
      });
      if (back.state.release !== wanted) this.say(`${this.d.plan.host} came back on ${back.state.release}, not its default kernel ${wanted}`);
      return back.host;
    } catch (e) {
      this.say(`restoring the default kernel of ${this.d.plan.host} failed: ${(e as Error).message}`);
      return undefined;
    }
  }
}
