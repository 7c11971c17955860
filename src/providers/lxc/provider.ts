/**
 * LXC containers as in 2011 (privileged by default, a full copy of a cached Debian rootfs, a veth
 * on the harness's bridge, limits through cgroups): provision, verify the limits from inside, and
 * destroy only what the container's marker proves is the harness's own.
 */
import { posix } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { Guest } from '../../core/guest.js';
import type { DoctorCheck, Provider, ProvisionContext } from '../../core/provider.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { LxcTarget } from '../../core/targets.js';
import { personaliseRootfs, ROOTFS_BASE_PACKAGES, rootfsKey, rootfsPathFor, type RootfsSpec } from '../images/rootfs.js';
import { planRootfsOnHost, rootfsOnHost } from '../images/rootfs-remote.js';
import { forgetOwned, listOwned, recordOwned } from '../ownership.js';
import { requireI386 } from '../images/i386-probe.js';
import { requirePackages } from '../packages.js';
import { jumpThrough } from '../reach.js';
import { renderLxcConfig } from './config.js';
import { lxcDoctor } from './doctor.js';
import { collectFacts, verifyLimits } from './facts.js';
import { resolveIdMap, shiftOwnership } from './idshift.js';
import { detectCgroupLayout, limitConfigLines, parseCpuset, resolveLimits } from './limits.js';
import { bridgePlan, chooseAddress, ensureBridge, gatewayOf, linkExists, parseSubnet, releaseBridge, vethNameFor } from './network.js';
import { waitForSsh } from './ssh-wait.js';
import { checkLxcHandle, isVeth } from './ownership-proof.js';

/** What destroy needs, also after a crash (stored in Guest.handle and the ownership record). */
export interface LxcHandle {
  [key: string]: unknown;
  container: string;
  lxcPath: string;
  bridge: string;
  subnet: string;
  address: string;
  veth: string;
  recordKey: string;
}

export const MARKER_FILE = 'virtbench-owner.json';
const NAME_RE = /^[a-z0-9][a-z0-9-]{0,30}$/;

export interface LxcProviderOptions {
  /** Failure injection for tests: runs right after lxc-start, before SSH is awaited. */
  afterStart?: (container: string, host: CommandHost) => Promise<void>;
}

export const guestRecordKey = (runId: string, name: string): string => `${runId}--${name}`.replace(/[^A-Za-z0-9._-]/g, '_');

let queue: Promise<unknown> = Promise.resolve();
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

async function lxcPathOf(host: CommandHost): Promise<string> {
  const r = await host.run(['lxc-config', 'lxc.lxcpath'], { allowFailure: true });
  return r.stdout.trim() || '/var/lib/lxc';
}

async function containerState(host: CommandHost, name: string): Promise<string | undefined> {
  const r = await host.run(['lxc-info', '-n', name, '-s', '-H'], { allowFailure: true });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

async function exists(host: CommandHost, path: string): Promise<boolean> {
  return (await host.run(['test', '-e', path], { allowFailure: true })).exitCode === 0;
}

export class LxcProvider implements Provider<LxcTarget> {
  readonly method = 'lxc' as const;
  constructor(private readonly opts: LxcProviderOptions = {}) {}

  async plan(spec: LxcTarget, ctx: ProvisionContext): Promise<PlannedCommand[]> {
    const h = ctx.host.name;
    const s = parseSubnet(spec.network.subnet);
    const name = spec.name;
    const dir = posix.join('/var/lib/lxc', name);
    const rootfsSpec = this.rootfsSpec(spec);
    const rootfs = rootfsPathFor(rootfsKey(rootfsSpec), ctx.host);
    const p = (argv: string[], purpose: string): PlannedCommand => ({ host: h, argv, purpose });
    return [
      ...planRootfsOnHost(ctx.host, rootfsSpec),
      ...bridgePlan(h, spec.network.bridge, s),
      p(['mkdir', '-p', dir], 'container directory'),
      p(['cp', '-a', `${rootfs}/.`, `${dir}/rootfs`], 'full copy of the cached rootfs (no overlay)'),
      p(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', `${dir}/rootfs/etc/ssh/ssh_host_ed25519_key`], 'the guest\'s own SSH host key, pinned'),
      p(['lxc-start', '-n', name, '-d'], `start (config written to ${dir}/config, address ${spec.network.address ?? `chosen from ${s.cidr}`})`),
      p(['lxc-stop', '-n', name, '-t', '10'], 'destroy: graceful stop, then lxc-stop -k'),
      p(['lxc-destroy', '-n', name], 'destroy: remove the container and its rootfs copy'),
      p(['ip', 'link', 'del', 'dev', spec.network.bridge], 'destroy: remove the bridge if the harness made it and nothing uses it'),
    ];
  }

  async provision(spec: LxcTarget, ctx: ProvisionContext): Promise<Guest> {
    const { host, progress } = ctx;
    const name = spec.name;
    const say = (message: string) => progress({ subject: name, step: 'provision', message });
    if (!NAME_RE.test(name)) throw new ProviderError('LXC_BAD_NAME', `${JSON.stringify(name)} is not a valid container name`, { hint: 'use [a-z0-9-], at most 31 characters', location: { field: 'name' } });
    await requirePackages(host, 'lxc');
    if (spec.image.arch === 'i386') await requireI386(host);
    const subnet = parseSubnet(spec.network.subnet);
    const layout = await detectCgroupLayout(host);
    const online = parseCpuset((await host.run(['cat', '/sys/devices/system/cpu/online'])).stdout);
    const asked = resolveLimits(spec.limits, online);
    const limitLines = limitConfigLines(asked, layout);
    const idmap = spec.privileged ? undefined : await resolveIdMap(host);
    const lxcPath = await lxcPathOf(host);
    const dir = posix.join(lxcPath, name);
    if ((await containerState(host, name)) !== undefined || (await exists(host, dir))) {
      const ours = await exists(host, posix.join(dir, MARKER_FILE));
      throw new ProviderError('LXC_NAME_CLASH', `a container named ${name} already exists in ${lxcPath}`, {
        hint: ours ? 'it was left by an earlier virtbench run: virtbench guests list; virtbench guests destroy --all-orphaned' : 'it is not virtbench\'s: rename the target',
        location: { field: 'name' },
      });
    }
    const image = await rootfsOnHost(host, this.rootfsSpec(spec), progress, ctx.signal);

    const recordKey = guestRecordKey(ctx.runId, name);
    // Choose the address and record it in one step, so parallel provisions never pick the same one.
    const handle = await serialised(async (): Promise<LxcHandle> => {
      const taken = (await listOwned(host)).filter((r) => r.kind === 'guest' && r.handle.bridge === spec.network.bridge).map((r) => String(r.handle.address));
      const address = chooseAddress(subnet, spec.network.address, taken);
      const h: LxcHandle = { container: name, lxcPath, bridge: spec.network.bridge, subnet: subnet.cidr, address, veth: vethNameFor(name), recordKey };
      await recordOwned({ kind: 'guest', method: 'lxc', key: recordKey, runId: ctx.runId, name, handle: h }, host);
      return h;
    });
    const address = handle.address;
    const guest: Guest = { name, method: 'lxc', ssh: { host: address, port: 22, user: 'root', privateKeyPath: ctx.key.privateKeyPath, ...jumpThrough(host) }, facts: {}, emulated: false, handle };

    try {
      await serialised(() => ensureBridge(host, spec.network.bridge, subnet, progress));
      const t0 = Date.now();
      await host.run(['mkdir', '-p', dir]);
      await host.writeFile(posix.join(dir, MARKER_FILE), JSON.stringify({ key: recordKey, runId: ctx.runId, pid: process.pid, createdAt: new Date().toISOString() }) + '\n');
      const rootfs = posix.join(dir, 'rootfs');
      say(`copying rootfs ${image.key}`);
      await host.run(['cp', '-a', `${image.path}/.`, `${rootfs}/`], { timeoutMs: 15 * 60_000, signal: ctx.signal });
      const copySeconds = (Date.now() - t0) / 1000;
      const { hostKey } = await personaliseRootfs(host, rootfs, { hostname: name, authorizedKey: ctx.key.publicKey });
      guest.ssh.hostKey = hostKey;
      if (idmap) {
        say(`shifting rootfs ownership to ${idmap.hostBase}+ for the id map`);
        await shiftOwnership(host, rootfs, idmap.hostBase);
        await host.run(['chmod', '755', dir]);
      }
      const configText = renderLxcConfig({
        name, rootfs, arch: spec.image.arch, bridge: handle.bridge, veth: handle.veth, address, prefix: subnet.prefix,
        gateway: gatewayOf(subnet), idmap, limitLines, logFile: posix.join(dir, 'lxc.log'),
      });
      await host.writeFile(posix.join(dir, 'config'), configText);

      const t1 = Date.now();
      say(`starting ${name} at ${address}`);
      ctx.signal?.throwIfAborted();
      const started = await host.run(['lxc-start', '-n', name, '-d'], { timeoutMs: 60_000, allowFailure: true });
      if (started.exitCode !== 0) throw await startFailure(host, name, posix.join(dir, 'lxc.log'), started.stderr);
      await this.opts.afterStart?.(name, host);
      await waitForSsh(host, address, 22, {
        timeoutMs: spec.sshTimeoutSeconds * 1000,
        signal: ctx.signal,
        stillRunning: async () => (await containerState(host, name)) === 'RUNNING',
        what: `container ${name} (log: ${posix.join(dir, 'lxc.log')})`,
      });
      const startToSshSeconds = (Date.now() - t1) / 1000;
      say(`ssh up after ${startToSshSeconds.toFixed(2)} s; verifying limits from inside`);
      const seen = await verifyLimits(host, name, layout, asked);
      guest.facts = {
        ...(await collectFacts(host, name, { layout, configText, asked, seen, cpuQuotaCpus: spec.limits.cpuQuota })),
        privileged: spec.privileged,
        rootfsKey: image.key,
        rootfsVia: image.via,
        timings: { ...(image.uploadSeconds !== undefined ? { rootfsUploadSeconds: image.uploadSeconds } : {}), copySeconds, startToSshSeconds, createToSshSeconds: (Date.now() - t0) / 1000, rootfsBuildSeconds: image.buildSeconds },
      };
      return guest;
    } catch (e) {
      progress({ subject: name, step: 'provision', message: `failed, cleaning up: ${(e as Error).message}`, level: 'error' });
      await this.destroy(guest, ctx).catch((d) => progress({ subject: name, step: 'destroy', message: `cleanup after failure also failed: ${(d as Error).message}`, level: 'error' }));
      throw e;
    }
  }

  private rootfsSpec(spec: LxcTarget): RootfsSpec {
    return { ...spec.image, include: [...ROOTFS_BASE_PACKAGES] };
  }

  async destroy(guest: Guest, ctx: ProvisionContext): Promise<void> {
    await destroyLxc(ctx.host, guest.handle as LxcHandle, ctx.progress);
  }

  async doctor(host: CommandHost): Promise<DoctorCheck[]> {
    return lxcDoctor(host);
  }
}

/**
 * Stop and remove a container the harness made (its marker must say so), its veth, its bridge when
 * unused and made by the harness, and the ownership record. Safe to repeat.
 */
export async function destroyLxc(host: CommandHost, raw: LxcHandle, progress: ProvisionContext['progress']): Promise<void> {
  const h = checkLxcHandle(raw);
  const say = (message: string) => progress({ subject: h.container, step: 'destroy', message });
  const dir = posix.join(h.lxcPath, h.container);
  if (await exists(host, dir)) {
    const marker = await host.readFile(posix.join(dir, MARKER_FILE)).then((b) => JSON.parse(b.toString('utf8')) as { key?: string }).catch(() => undefined);
    if (marker?.key !== h.recordKey) {
      throw new ProviderError('LXC_NOT_OURS', `${dir} has no virtbench marker for ${h.recordKey}; not touching it`, { hint: 'remove it yourself if it is a leftover, then: virtbench guests destroy again' });
    }
    const state = await containerState(host, h.container);
    if (state && state !== 'STOPPED') {
      say('stopping');
      await host.run(['lxc-stop', '-n', h.container, '-t', '10'], { allowFailure: true, timeoutMs: 30_000 });
      if ((await containerState(host, h.container)) !== 'STOPPED') await host.run(['lxc-stop', '-n', h.container, '-k'], { allowFailure: true, timeoutMs: 30_000 });
    }
    say('destroying');
    const r = await host.run(['lxc-destroy', '-n', h.container], { allowFailure: true, timeoutMs: 10 * 60_000 });
    if (await exists(host, dir)) {
      // lxc-destroy refuses a directory without a config (a crash before it was written).
      if (!dir.startsWith(`${h.lxcPath}/`) || h.container.includes('/')) throw new ProviderError('LXC_DESTROY', `refusing to remove ${dir}`, {});
      await host.run(['rm', '-rf', '--one-file-system', dir]);
      if (await exists(host, dir)) throw new ProviderError('LXC_DESTROY', `could not remove ${dir}: ${r.stderr.trim()}`, { hint: 'check for mounts inside it (grep /proc/mounts)' });
    }
  }
  await removeEmptyCgroups(host, h.container);
  // Only the veth named for this container, and only when it is a veth (never any other interface).
  if (await linkExists(host, h.veth)) {
    if (await isVeth(host, h.veth)) await host.run(['ip', 'link', 'del', 'dev', h.veth], { allowFailure: true });
    else say(`interface ${h.veth} is not a veth: left alone`);
  }
  await releaseBridge(host, h.bridge, h.recordKey, progress);
  await forgetOwned(h.recordKey, host);
}

/**
 * LXC leaves its monitor (and after an aborted start, payload) cgroups behind in some failure
 * paths. Remove those named for this container, only when empty (rmdir refuses otherwise).
 */
async function removeEmptyCgroups(host: CommandHost, container: string): Promise<void> {
  const layout = await detectCgroupLayout(host);
  const roots = [...new Set([...Object.values(layout.v1Mounts), ...(layout.unifiedMount ? [layout.unifiedMount] : [])])];
  for (const root of roots) {
    for (const leaf of [`lxc.monitor.${container}`, `lxc.payload.${container}`]) {
      const dir = posix.join(root, leaf);
      if (await exists(host, dir)) await host.run(['find', dir, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', '+'], { allowFailure: true });
    }
  }
}

/** lxc-start says only "failed to start"; the reason is in the container's log: quote its errors. */
async function startFailure(host: CommandHost, name: string, logFile: string, stderr: string): Promise<ProviderError> {
  const log = await host.readFile(logFile).then((b) => b.toString('utf8'), () => '');
  const errors = log.split('\n').filter((l) => / ERROR /.test(l)).slice(-6).map((l) => l.replace(/^.*? ERROR\s+/, ''));
  return new ProviderError('LXC_START_FAILED', `lxc-start of ${name} on ${host.name} failed:\n    ${(errors.length ? errors : [stderr.trim() || '(no output)']).join('\n    ')}`, {
    hint: `the container's log: ${logFile} on ${host.name} (removed with the container); see also: virtbench doctor${host.isLocal ? '' : ' --host'}`,
  });
}

export function isLxcHandle(x: Record<string, unknown>): x is LxcHandle {
  return typeof x.container === 'string' && typeof x.lxcPath === 'string' && typeof x.recordKey === 'string';
}
