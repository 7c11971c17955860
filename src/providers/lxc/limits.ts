/**
 * Container limits: validated, turned into lxc.cgroup.* (cgroup v1) or lxc.cgroup2.* keys by
 * where the host really mounts each controller, and checked from inside after start.
 */
import { ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import type { Limits } from '../../core/targets.js';

export type CgroupVersion = 1 | 2;
export type Controller = 'cpuset' | 'cpu' | 'memory' | 'pids';
const CONTROLLERS: Controller[] = ['cpuset', 'cpu', 'memory', 'pids'];

export interface CgroupLayout {
  /** v1: every controller on v1; v2: unified only; hybrid: v1 controllers plus a unified mount. */
  mode: 'v1' | 'v2' | 'hybrid';
  /** Which hierarchy each controller the provider uses lives in; absent = not available. */
  controllers: Partial<Record<Controller, CgroupVersion>>;
  v1Mounts: Record<string, string>;
  unifiedMount?: string;
}

/** Read /proc/mounts (and the unified cgroup.controllers) on the host. */
export async function detectCgroupLayout(host: CommandHost): Promise<CgroupLayout> {
  const mounts = (await host.readFile('/proc/mounts')).toString('utf8').split('\n').map((l) => l.split(' '));
  const v1Mounts: Record<string, string> = {};
  let unifiedMount: string | undefined;
  for (const [, dir, type, opts] of mounts) {
    if (!dir || !opts) continue;
    if (type === 'cgroup2') unifiedMount ??= dir;
    if (type !== 'cgroup') continue;
    for (const o of opts.split(',')) if ((CONTROLLERS as string[]).includes(o) || o === 'cpuacct' || o.startsWith('name=')) v1Mounts[o] = dir;
  }
  let unifiedControllers: string[] = [];
  if (unifiedMount) {
    const r = await host.run(['cat', `${unifiedMount}/cgroup.controllers`], { allowFailure: true });
    unifiedControllers = r.stdout.trim().split(/\s+/).filter(Boolean);
  }
  const controllers: CgroupLayout['controllers'] = {};
  for (const c of CONTROLLERS) {
    if (v1Mounts[c]) controllers[c] = 1;
    else if (unifiedControllers.includes(c)) controllers[c] = 2;
  }
  const hasV1 = Object.keys(v1Mounts).length > 0;
  const mode = hasV1 ? (unifiedMount ? 'hybrid' : 'v1') : 'v2';
  return { mode, controllers, v1Mounts, unifiedMount };
}

const CPUSET_RE = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/** Expand "0-2,5" into [0,1,2,5]. */
export function parseCpuset(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

function bad(field: string, message: string, hint: string): ProviderError {
  return new ProviderError('LXC_BAD_LIMIT', `limits.${field}: ${message}`, { hint, location: { field: `limits.${field}` } });
}

/** The effective cpuset for the limits on a host with `hostCpus` online CPUs; undefined = no cpuset. */
export function resolveCpuset(limits: Limits, hostCpus: number[]): string | undefined {
  if (limits.cpuset !== undefined) {
    if (!CPUSET_RE.test(limits.cpuset)) throw bad('cpuset', `${JSON.stringify(limits.cpuset)} is not a CPU list`, 'write it like "0", "0-1" or "0,2"');
    const missing = parseCpuset(limits.cpuset).filter((c) => !hostCpus.includes(c));
    if (missing.length) throw bad('cpuset', `CPU ${missing.join(',')} is not online on this host (online: ${formatCpus(hostCpus)})`, 'choose CPUs from the online list');
    if (limits.cpus !== undefined && parseCpuset(limits.cpuset).length !== limits.cpus) throw bad('cpus', `cpus: ${limits.cpus} disagrees with cpuset "${limits.cpuset}"`, 'give one of them, or make them agree');
    return limits.cpuset;
  }
  if (limits.cpus !== undefined) {
    if (!Number.isInteger(limits.cpus) || limits.cpus < 1) throw bad('cpus', `${limits.cpus} is not a whole number of CPUs >= 1`, 'use 1, 2, ...');
    if (limits.cpus > hostCpus.length) throw bad('cpus', `${limits.cpus} CPUs asked, the host has ${hostCpus.length}`, `use at most ${hostCpus.length}`);
    return formatCpus(hostCpus.slice(0, limits.cpus));
  }
  return undefined;
}

export function formatCpus(cpus: number[]): string {
  const sorted = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export const CFS_PERIOD_US = 100_000;

export interface ResolvedLimits {
  cpuset?: string;
  cpuQuotaUs?: number;
  memoryBytes?: number;
  pids?: number;
}

export function resolveLimits(limits: Limits, hostCpus: number[]): ResolvedLimits {
  const r: ResolvedLimits = {};
  const cpuset = resolveCpuset(limits, hostCpus);
  if (cpuset !== undefined) r.cpuset = cpuset;
  if (limits.cpuQuota !== undefined) {
    if (!(limits.cpuQuota > 0) || !Number.isFinite(limits.cpuQuota)) throw bad('cpuQuota', `${limits.cpuQuota} is not a positive number of CPUs`, 'use e.g. 0.5 or 1.5');
    r.cpuQuotaUs = Math.round(limits.cpuQuota * CFS_PERIOD_US);
    if (r.cpuQuotaUs < 1000) throw bad('cpuQuota', `${limits.cpuQuota} CPUs is below the kernel minimum of 1 ms per 100 ms`, 'use at least 0.01');
  }
  if (limits.memoryMiB !== undefined) {
    if (!Number.isInteger(limits.memoryMiB) || limits.memoryMiB < 32) throw bad('memoryMiB', `${limits.memoryMiB} is not a whole number of MiB >= 32`, 'systemd and sshd need at least 32 MiB; UnixBench wants 256 or more');
    r.memoryBytes = limits.memoryMiB * 1024 * 1024;
  }
  if (limits.pids !== undefined) {
    if (!Number.isInteger(limits.pids) || limits.pids < 16) throw bad('pids', `${limits.pids} is not a whole number >= 16`, 'systemd, sshd and UnixBench need at least a few dozen processes');
    r.pids = limits.pids;
  }
  if (limits.diskGiB !== undefined) throw bad('diskGiB', 'disk quotas are not supported for LXC directory rootfs', 'remove diskGiB from the lxc target');
  return r;
}

function need(layout: CgroupLayout, c: Controller): CgroupVersion {
  const v = layout.controllers[c];
  if (!v) throw new ProviderError('LXC_NO_CONTROLLER', `the ${c} cgroup controller is not mounted on this host (cgroup ${layout.mode})`, { hint: `mount it or drop the ${c} limit; see: virtbench doctor` });
  return v;
}

/** Config lines for the limits, each controller in the hierarchy the host really uses for it. */
export function limitConfigLines(r: ResolvedLimits, layout: CgroupLayout): string[] {
  const lines: string[] = [];
  if (r.cpuset !== undefined) {
    const v = need(layout, 'cpuset');
    lines.push(v === 1 ? `lxc.cgroup.cpuset.cpus = ${r.cpuset}` : `lxc.cgroup2.cpuset.cpus = ${r.cpuset}`);
  }
  if (r.cpuQuotaUs !== undefined) {
    const v = need(layout, 'cpu');
    if (v === 1) lines.push(`lxc.cgroup.cpu.cfs_period_us = ${CFS_PERIOD_US}`, `lxc.cgroup.cpu.cfs_quota_us = ${r.cpuQuotaUs}`);
    else lines.push(`lxc.cgroup2.cpu.max = ${r.cpuQuotaUs} ${CFS_PERIOD_US}`);
  }
  if (r.memoryBytes !== undefined) {
    const v = need(layout, 'memory');
    lines.push(v === 1 ? `lxc.cgroup.memory.limit_in_bytes = ${r.memoryBytes}` : `lxc.cgroup2.memory.max = ${r.memoryBytes}`);
  }
  if (r.pids !== undefined) {
    const v = need(layout, 'pids');
    lines.push(v === 1 ? `lxc.cgroup.pids.max = ${r.pids}` : `lxc.cgroup2.pids.max = ${r.pids}`);
  }
  return lines;
}

export type LimitKey = 'cpuset' | 'cpuQuotaUs' | 'memoryBytes' | 'pids';

/** What the container itself reports for each limit (read with lxc-attach after start). */
export interface ObservedLimits {
  nproc: number;
  /** Where each value was read: inside the container, or from the host when not mounted inside. */
  source: Partial<Record<'cpuset' | 'cpuQuotaUs' | 'memoryBytes' | 'pids', 'inside' | 'host (lxc-cgroup)' | 'unreadable'>>;
  cpuset?: string;
  cpuQuotaUs?: number;
  memoryBytes?: number;
  pids?: number;
}

/** Files read inside the container, per hierarchy; "max" / -1 / a huge number mean unlimited. */
export function limitProbeFiles(layout: CgroupLayout): Record<LimitKey, string[]> {
  const v = (c: Controller) => layout.controllers[c];
  return {
    cpuset: v('cpuset') === 1 ? ['/sys/fs/cgroup/cpuset/cpuset.effective_cpus', '/sys/fs/cgroup/cpuset/cpuset.cpus'] : ['/sys/fs/cgroup/cpuset.cpus.effective'],
    cpuQuotaUs: v('cpu') === 1 ? ['/sys/fs/cgroup/cpu/cpu.cfs_quota_us', '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us'] : ['/sys/fs/cgroup/cpu.max'],
    memoryBytes: v('memory') === 1 ? ['/sys/fs/cgroup/memory/memory.limit_in_bytes'] : ['/sys/fs/cgroup/memory.max'],
    pids: v('pids') === 1 ? ['/sys/fs/cgroup/pids/pids.max'] : ['/sys/fs/cgroup/pids.max'],
  };
}

export function parseLimitValue(key: LimitKey, text: string): string | number | undefined {
  const t = text.trim();
  if (key === 'cpuset') return t || undefined;
  const first = t.split(/\s+/)[0] ?? '';
  if (first === 'max' || first === '-1' || first === '') return undefined;
  const n = Number(first);
  if (!Number.isFinite(n)) return undefined;
  if (key === 'memoryBytes' && n >= 2 ** 60) return undefined; // v1 "unlimited" is 0x7FFFFFFFFFFFF000
  return n;
}

/** Compare what was asked with what the container reports; returns the mismatches. */
export function checkLimits(asked: ResolvedLimits, seen: ObservedLimits): string[] {
  const wrong: string[] = [];
  if (asked.cpuset !== undefined) {
    const want = formatCpus(parseCpuset(asked.cpuset));
    if (seen.cpuset === undefined || formatCpus(parseCpuset(seen.cpuset)) !== want) wrong.push(`cpuset: asked ${want}, container sees ${seen.cpuset ?? 'none'}`);
    if (seen.nproc !== parseCpuset(asked.cpuset).length) wrong.push(`nproc: expected ${parseCpuset(asked.cpuset).length}, container reports ${seen.nproc}`);
  }
  if (asked.cpuQuotaUs !== undefined && seen.cpuQuotaUs !== asked.cpuQuotaUs) wrong.push(`cpu quota: asked ${asked.cpuQuotaUs} us, container sees ${seen.cpuQuotaUs ?? 'none'}`);
  // The kernel rounds memory limits down to whole pages.
  if (asked.memoryBytes !== undefined && (seen.memoryBytes === undefined || Math.abs(seen.memoryBytes - asked.memoryBytes) >= 4096 * 16)) wrong.push(`memory: asked ${asked.memoryBytes} bytes, container sees ${seen.memoryBytes ?? 'none'}`);
  if (asked.pids !== undefined && seen.pids !== asked.pids) wrong.push(`pids: asked ${asked.pids}, container sees ${seen.pids ?? 'none'}`);
  return wrong;
}
