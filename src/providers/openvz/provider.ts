/**
 * OpenVZ containers on an OpenVZ host (vzctl or prlctl over SSH): create from an OS template, set
 * limits and the address, install what UnixBench needs, pin the SSH host key; destroy idempotently.
 */
import { InterruptedError, ProviderError, isVirtbenchError } from '../../core/errors.js';
import type { Guest, SshEndpoint } from '../../core/guest.js';
import type { DoctorCheck, Provider, ProvisionContext } from '../../core/provider.js';
import type { CommandHost, CommandResult, PlannedCommand } from '../../core/host.js';
import type { OpenvzTarget } from '../../core/targets.js';
import { forgetOwned, recordOwned } from '../ownership.js';
import {
  COUNT_CPUS, GENERATE_HOST_KEYS, READ_HOST_KEY, RESTART_SSHD, authorizeKey, ctConfig, ctCreate, ctDestroy, ctExec,
  ctLimits, ctNetwork, ctStart, ctStatus, ctStop, distroFamily, packageInstall, type CtRef, type HostCapacity, type OpenvzTool,
} from './commands.js';
import { diagnoseCreate, parseStatus, stepFailed } from './diagnose.js';
import { checkHost, doctorChecks, hostCheckPlan, requireReady, type HostReport } from './host-check.js';
import { derivedCtid, validateOpenvzTarget } from './validate.js';

export interface OpenvzProviderOptions {
  /**
   * How the harness reaches the OpenVZ host over SSH, for `reach: jump`. Absent: taken from
   * ctx.host when it exposes `endpoint` or `session.endpoint` (SshHost does).
   */
  hostEndpoint?: SshEndpoint;
}

/** What provision() leaves in Guest.handle: enough to destroy the container after a crash. */
export interface OpenvzHandle extends Record<string, unknown> {
  tool: OpenvzTool;
  ctid: number;
  ctName: string;
  host: string;
}

const MIN = 60_000;
const OPENSSH_KEY_RE = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( [^\n\r]*)?$/;

function ctNameFor(spec: OpenvzTarget, ctid: number): string {
  return `vb-${spec.name}-${ctid}`.slice(0, 64);
}

function ctRefFor(spec: OpenvzTarget, runId: string, tool: OpenvzTool): CtRef {
  const ctid = spec.ctid ?? derivedCtid(runId, spec.name);
  return { tool, ctid, name: ctNameFor(spec, ctid) };
}

export class OpenvzProvider implements Provider<OpenvzTarget> {
  readonly method = 'openvz' as const;
  /** The last host check per host name; fills prlctl's "no limit" values in plan(). */
  private readonly capacity = new Map<string, HostCapacity>();

  constructor(private readonly opts: OpenvzProviderOptions = {}) {}

  async doctor(host: CommandHost): Promise<DoctorCheck[]> {
    return doctorChecks(host);
  }

  /** The exact commands, in order. `tool: auto` is shown as vzctl (taken when present). */
  async plan(spec: OpenvzTarget, ctx: ProvisionContext): Promise<PlannedCommand[]> {
    validateOpenvzTarget(spec);
    const tool: OpenvzTool = spec.tool === 'prlctl' ? 'prlctl' : 'vzctl';
    const ct = ctRefFor(spec, ctx.runId, tool);
    const h = ctx.host.name;
    const family = distroFamily(spec.ostemplate);
    const p = (argv: string[], purpose: string): PlannedCommand => ({ host: h, argv, purpose });
    const inCt = (argv: readonly string[], purpose: string) => p(ctExec(ct, argv), purpose);
    const out: PlannedCommand[] = [
      ...hostCheckPlan(h, tool).map((c, i) => (i === 0 && spec.tool === 'auto' ? { ...c, purpose: `${c.purpose} (tool: auto; prlctl if vzctl is missing)` } : c)),
      p(ctStatus(ct), `check that container ${tool === 'vzctl' ? ct.ctid : ct.name} does not exist yet`),
      p(ctCreate(ct, this.createOptions(spec, ct)), `create the container from OS template ${spec.ostemplate}`),
      ...ctLimits(ct, spec.limits, this.capacity.get(h) ?? {}).map((a) => p(a, describeLimits(spec))),
      ...ctNetwork(ct, spec.ipAddress, spec.netMode).map((a) => p(a, `give the container ${spec.ipAddress} on a veth interface`)),
      p(ctStart(ct), 'start the container'),
      ...(family ? packageInstall(family).map((a) => inCt(a, `install what UnixBench needs (${family} packages)`)) : []),
      inCt(authorizeKey(ctx.key.publicKey), "authorize the run's SSH key for root"),
      inCt(GENERATE_HOST_KEYS, 'generate the SSH host keys the template lacks'),
      inCt(RESTART_SSHD, 'start sshd'),
      inCt(READ_HOST_KEY, "read the container's SSH host key to pin it"),
      inCt(COUNT_CPUS, 'count the CPUs the container sees'),
      p(ctConfig(ct), "record the container's configuration"),
      ...this.destroyPlan(ct, h),
    ];
    return out;
  }

  private destroyPlan(ct: CtRef, h: string): PlannedCommand[] {
    return [
      { host: h, argv: ctStatus(ct), purpose: 'destroy: see whether the container exists and runs' },
      { host: h, argv: ctStop(ct), purpose: 'destroy: stop the container (when running)' },
      { host: h, argv: ctDestroy(ct), purpose: 'destroy: remove the container and its private area' },
    ];
  }

  private createOptions(spec: OpenvzTarget, ct: CtRef) {
    return { ostemplate: spec.ostemplate, hostname: ct.name, ipAddress: spec.ipAddress, netMode: spec.netMode, diskGiB: spec.limits.diskGiB };
  }

  private jumpEndpoint(ctx: ProvisionContext): SshEndpoint | undefined {
    const h = ctx.host as { endpoint?: SshEndpoint; session?: { endpoint?: SshEndpoint } };
    return this.opts.hostEndpoint ?? h.endpoint ?? h.session?.endpoint;
  }

  async provision(spec: OpenvzTarget, ctx: ProvisionContext): Promise<Guest> {
    validateOpenvzTarget(spec);
    const publicKey = ctx.key.publicKey.trim();
    if (!OPENSSH_KEY_RE.test(publicKey)) {
      throw new ProviderError('OPENVZ_BAD_KEY', "the run's public key is not a single OpenSSH key line", { hint: 'this is a bug in virtbench: report it' });
    }
    const jump = this.jumpEndpoint(ctx);
    if (spec.reach === 'jump' && !jump) {
      throw new ProviderError('OPENVZ_NO_JUMP_HOST', `target ${spec.name}: reach: jump needs the OpenVZ host's SSH address, and ${ctx.host.name} gives none`, {
        hint: 'define the OpenVZ host under hosts: with its ssh address, or use reach: direct when the container address is routed to this machine',
      });
    }
    const family = distroFamily(spec.ostemplate);
    if (!family) {
      throw new ProviderError('OPENVZ_UNKNOWN_DISTRO', `target ${spec.name}: no package manager known for OS template '${spec.ostemplate}'`, {
        hint: 'use a Debian/Ubuntu (apt-get) or CentOS/AlmaLinux/Rocky/VzLinux (yum) template',
      });
    }
    const say = (message: string, level: 'info' | 'warn' = 'info') => ctx.progress({ subject: spec.name, step: 'provision', message, level });
    this.checkAbort(ctx);
    say(`checking OpenVZ host ${ctx.host.name}`);
    const report = await checkHost(ctx.host, spec.tool, ctx.signal);
    this.capacity.set(ctx.host.name, { cpus: report.cpus, memoryMiB: report.memoryMiB });
    requireReady(report, spec.ostemplate);
    if (!report.templates.find((t) => t.name === spec.ostemplate)?.cached) {
      say(`OS template ${spec.ostemplate} has no cache yet: vzctl builds it first (slow, needs the host's package mirrors)`, 'warn');
    }
    const ct = ctRefFor(spec, ctx.runId, report.tool.tool);
    const before = parseStatus((await this.run(ctx.host, ctStatus(ct), 'check the container ID', ctx, MIN, true)).stdout);
    if (before.exists) {
      throw new ProviderError('OPENVZ_CTID_IN_USE', `on ${ctx.host.name}: container ${ct.tool === 'vzctl' ? ct.ctid : ct.name} already exists; virtbench will not touch it`, {
        hint: spec.ctid !== undefined ? 'choose another ctid for this target (or leave ctid out: virtbench then picks one per run)' : 'run again (a new run picks another ID), or remove that container if it is a leftover',
        location: { field: 'ctid' },
      });
    }
    const handle: OpenvzHandle = { tool: ct.tool, ctid: ct.ctid, ctName: ct.name, host: ctx.host.name };
    const ownKey = `${ctx.runId}--${spec.name}`;
    await recordOwned({ kind: 'guest', method: 'openvz', key: ownKey, runId: ctx.runId, name: spec.name, handle }, ctx.host);
    try {
      return await this.build(spec, ctx, ct, report, family, publicKey, jump, handle, say);
    } catch (e) {
      const err = ctx.signal?.aborted && !(e instanceof InterruptedError) ? new InterruptedError(`provisioning ${spec.name} was interrupted`) : e;
      say(`provisioning failed; stopping and destroying container ${ct.ctid}`, 'warn');
      try {
        await this.destroyCt(ctx.host, ct, ctx, say);
        await forgetOwned(ownKey, ctx.host);
      } catch (cleanupErr) {
        say(`cleanup failed, container ${ct.ctid} may be left on ${ctx.host.name}: ${(cleanupErr as Error).message}`, 'warn');
      }
      throw err;
    }
  }

  private async build(
    spec: OpenvzTarget, ctx: ProvisionContext, ct: CtRef, report: HostReport, family: NonNullable<ReturnType<typeof distroFamily>>,
    publicKey: string, jump: SshEndpoint | undefined, handle: OpenvzHandle, say: (m: string, l?: 'info' | 'warn') => void,
  ): Promise<Guest> {
    const host = ctx.host;
    say(`creating container ${ct.ctid} (${ct.name}) from ${spec.ostemplate} with ${ct.tool}`);
    const createArgv = ctCreate(ct, this.createOptions(spec, ct));
    this.checkAbort(ctx);
    const created = await host.run(createArgv, { allowFailure: true, signal: ctx.signal, timeoutMs: 60 * MIN });
    if (created.exitCode !== 0) {
      throw diagnoseCreate({ host: host.name, argv: createArgv, result: created }, { ctid: ct.ctid, name: ct.name, ostemplate: spec.ostemplate, diskGiB: spec.limits.diskGiB });
    }
    for (const argv of ctLimits(ct, spec.limits, { cpus: report.cpus, memoryMiB: report.memoryMiB })) {
      await this.run(host, argv, describeLimits(spec), ctx, MIN);
    }
    for (const argv of ctNetwork(ct, spec.ipAddress, spec.netMode)) await this.run(host, argv, 'configure the veth interface', ctx, MIN);
    say('starting the container');
    await this.run(host, ctStart(ct), 'start the container', ctx, 10 * MIN);
    say(`installing make, gcc, perl and sshd in the container (${family})`);
    for (const argv of packageInstall(family)) {
      await this.run(host, ctExec(ct, argv), 'install packages in the container', ctx, 30 * MIN, false,
        "the container needs network access to its distribution's mirrors: check its IP, the host's forwarding/NAT and nameservers (vzctl set --nameserver)");
    }
    await this.run(host, ctExec(ct, authorizeKey(publicKey)), "authorize the run's SSH key", ctx, MIN);
    await this.run(host, ctExec(ct, GENERATE_HOST_KEYS), 'generate SSH host keys', ctx, MIN);
    await this.run(host, ctExec(ct, RESTART_SSHD), 'start sshd in the container', ctx, 2 * MIN);
    const hostKey = (await this.run(host, ctExec(ct, READ_HOST_KEY), 'read the SSH host key', ctx, MIN)).stdout.trim();
    if (!OPENSSH_KEY_RE.test(hostKey)) {
      throw new ProviderError('OPENVZ_NO_HOST_KEY', `container ${ct.ctid}: /etc/ssh/ssh_host_ed25519_key.pub is not an OpenSSH key line: ${JSON.stringify(hostKey.slice(0, 80))}`, {
        hint: 'the OS template needs OpenSSH 6.5 or newer (ed25519 host keys)',
      });
    }
    const cpusVisible = Number((await this.run(host, ctExec(ct, COUNT_CPUS), 'count CPUs', ctx, MIN)).stdout.trim()) || undefined;
    const config = (await this.run(host, ctConfig(ct), "read the container's configuration", ctx, MIN)).stdout;
    say(`container ${ct.ctid} is up at ${spec.ipAddress}`);
    const ssh: SshEndpoint = {
      host: spec.ipAddress,
      port: 22,
      user: 'root',
      privateKeyPath: ctx.key.privateKeyPath,
      hostKey,
      ...(spec.reach === 'jump' && jump ? { jump } : {}),
    };
    return {
      name: spec.name,
      method: 'openvz',
      ssh,
      emulated: false,
      handle,
      facts: {
        kernel: report.kernel,
        cpusVisible,
        cpusUsable: spec.limits.cpus ?? cpusVisible,
        memoryMiB: spec.limits.memoryMiB ?? report.memoryMiB,
        openvz: {
          host: host.name,
          tool: ct.tool,
          toolVersion: report.tool.version,
          hostKernel: report.kernel,
          ctid: ct.ctid,
          ctName: ct.name,
          ostemplate: spec.ostemplate,
          netMode: spec.netMode,
          reach: spec.reach,
          limits: describeLimits(spec),
          configSource: ctConfig(ct).join(' '),
          config,
        },
      },
    };
  }

  async destroy(guest: Guest, ctx: ProvisionContext): Promise<void> {
    await this.destroyRecorded(guest.name, guest.handle, { host: ctx.host, progress: ctx.progress, key: `${ctx.runId}--${guest.name}` });
  }

  /** Destroy the container a handle names (a live guest's, run.json's or an ownership record's) on the OpenVZ host it names. */
  async destroyRecorded(name: string, handle: Record<string, unknown>, o: { host: CommandHost; progress: ProvisionContext['progress']; key: string }): Promise<void> {
    const h = handle as Partial<OpenvzHandle>;
    if ((h.tool !== 'vzctl' && h.tool !== 'prlctl') || typeof h.ctid !== 'number' || typeof h.ctName !== 'string') {
      throw new ProviderError('OPENVZ_BAD_HANDLE', `guest ${name}: its record does not say which OpenVZ container it is`, { hint: 'check the OpenVZ host with `vzctl list -a` / `prlctl list -a`' });
    }
    const say = (message: string, level: 'info' | 'warn' = 'info') => o.progress({ subject: name, step: 'destroy', message, level });
    await this.destroyCt(o.host, { tool: h.tool, ctid: h.ctid, name: h.ctName }, { signal: undefined }, say);
    await forgetOwned(o.key, o.host);
  }

  /** Idempotent; runs without ctx.signal so that Ctrl-C still cleans up. */
  private async destroyCt(host: CommandHost, ct: CtRef, ctx: Pick<ProvisionContext, 'signal'>, say: (m: string, l?: 'info' | 'warn') => void): Promise<void> {
    const noSignal = { ...ctx, signal: undefined };
    const st = parseStatus((await this.run(host, ctStatus(ct), 'check the container', noSignal, MIN, true)).stdout);
    if (!st.exists) {
      say(`container ${ct.ctid} does not exist (nothing to destroy)`);
      return;
    }
    if (st.running) await this.run(host, ctStop(ct), 'stop the container', noSignal, 5 * MIN);
    await this.run(host, ctDestroy(ct), 'destroy the container', noSignal, 10 * MIN);
    say(`container ${ct.ctid} destroyed`);
  }

  private checkAbort(ctx: ProvisionContext): void {
    if (ctx.signal?.aborted) throw new InterruptedError('provisioning was interrupted');
  }

  /** One command on the OpenVZ host; a non-zero exit becomes a ProviderError with its output. */
  private async run(
    host: CommandHost, argv: string[], purpose: string, ctx: Pick<ProvisionContext, 'signal'>, timeoutMs: number,
    statusOnly = false, hint?: string,
  ): Promise<CommandResult> {
    if (ctx.signal?.aborted) throw new InterruptedError(`interrupted before: ${purpose}`);
    let r: CommandResult;
    try {
      r = await host.run(argv, { allowFailure: true, signal: ctx.signal, timeoutMs });
    } catch (e) {
      if (ctx.signal?.aborted) throw new InterruptedError(`interrupted during: ${purpose}`);
      throw isVirtbenchError(e) ? e : new ProviderError('OPENVZ_STEP_FAILED', `on ${host.name}: could not ${purpose}: ${(e as Error).message}`, { cause: e });
    }
    if (r.exitCode !== 0 && !(statusOnly && r.stdout.trim())) throw stepFailed({ host: host.name, argv, result: r }, purpose, hint);
    return r;
  }
}

function describeLimits(spec: OpenvzTarget): string {
  const l = spec.limits;
  const parts = [
    l.cpus !== undefined ? `${l.cpus} CPUs` : undefined,
    l.cpuset !== undefined ? `cpuset ${l.cpuset}` : undefined,
    l.cpuQuota !== undefined ? `CPU quota ${l.cpuQuota}` : undefined,
    l.memoryMiB !== undefined ? `${l.memoryMiB} MiB RAM, no swap` : undefined,
    l.pids !== undefined ? `${l.pids} processes` : undefined,
    l.diskGiB !== undefined ? `${l.diskGiB} GiB disk` : undefined,
  ].filter(Boolean);
  return parts.length ? `set limits: ${parts.join(', ')}` : 'set no limits (as in 2011: all CPUs, no CPU cap, unlimited memory)';
}
