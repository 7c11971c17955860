/** What an LXC guest is, read on its host: the limits it really got (checked against those asked for), its LXC version and config, its kernel. */
import type { CommandHost } from '../../core/host.js';
import type { GuestFacts } from '../../core/guest.js';
import { ProviderError } from '../../core/errors.js';
import {
  checkLimits,
  limitProbeFiles,
  parseCpuset,
  parseLimitValue,
  type CgroupLayout,
  type ObservedLimits,
  type ResolvedLimits,
} from './limits.js';

/** Run a command inside a running container (its namespaces and cgroups) as root. */
export async function attach(host: CommandHost, name: string, argv: string[], allowFailure = false): Promise<string> {
  const r = await host.run(['lxc-attach', '-n', name, '--clear-env', '--', ...argv], { allowFailure, timeoutMs: 60_000 });
  return r.exitCode === 0 ? r.stdout : '';
}

async function firstReadable(host: CommandHost, name: string, files: string[]): Promise<string | undefined> {
  for (const f of files) {
    const r = await host.run(['lxc-attach', '-n', name, '--clear-env', '--', 'cat', f], { allowFailure: true, timeoutMs: 30_000 });
    if (r.exitCode === 0) return r.stdout;
  }
  return undefined;
}

/** What the container itself reports for each limit. */
export async function observeLimits(host: CommandHost, name: string, layout: CgroupLayout): Promise<ObservedLimits> {
  const nproc = Number((await attach(host, name, ['nproc'])).trim());
  const seen: ObservedLimits = { nproc, source: {} };
  const files = limitProbeFiles(layout);
  const hostKeys = limitHostKeys(layout);
  for (const key of Object.keys(files) as (keyof typeof files)[]) {
    let text = await firstReadable(host, name, files[key]);
    seen.source[key] = 'inside';
    if (text === undefined) {
      // LXC does not mount a v1 controller inside when the host splits co-mounted ones (cpu and
      // cpuacct mounted apart): read the container's own cgroup from the host instead, and say so.
      const r = await host.run(['lxc-cgroup', '-n', name, hostKeys[key]], { allowFailure: true });
      if (r.exitCode !== 0) {
        seen.source[key] = 'unreadable';
        continue;
      }
      text = r.stdout;
      seen.source[key] = 'host (lxc-cgroup)';
    }
    const v = parseLimitValue(key, text);
    if (v !== undefined) (seen as unknown as Record<string, unknown>)[key] = v;
  }
  return seen;
}

function limitHostKeys(layout: CgroupLayout): Record<'cpuset' | 'cpuQuotaUs' | 'memoryBytes' | 'pids', string> {
  const v1 = (c: 'cpuset' | 'cpu' | 'memory' | 'pids') => layout.controllers[c] === 1;
  return {
    cpuset: v1('cpuset') ? 'cpuset.effective_cpus' : 'cpuset.cpus.effective',
    cpuQuotaUs: v1('cpu') ? 'cpu.cfs_quota_us' : 'cpu.max',
    memoryBytes: v1('memory') ? 'memory.limit_in_bytes' : 'memory.max',
    pids: 'pids.max',
  };
}

/** Verify every asked limit from inside; a limit that is not in effect fails the provision. */
export async function verifyLimits(host: CommandHost, name: string, layout: CgroupLayout, asked: ResolvedLimits): Promise<ObservedLimits> {
  const seen = await observeLimits(host, name, layout);
  const wrong = checkLimits(asked, seen);
  if (wrong.length) {
    throw new ProviderError('LXC_LIMIT_NOT_APPLIED', `container ${name}: limits not in effect inside the container: ${wrong.join('; ')}`, {
      hint: `check the cgroup layout (${layout.mode}) and lxc.cgroup keys; see: virtbench doctor`,
    });
  }
  return seen;
}

export async function lxcVersion(host: CommandHost): Promise<string> {
  return (await host.run(['lxc-start', '--version'], { allowFailure: true })).stdout.trim();
}

export async function lxcfsMounted(host: CommandHost): Promise<boolean> {
  const mounts = (await host.readFile('/proc/mounts')).toString('utf8');
  return mounts.split('\n').some((l) => l.split(' ')[2] === 'fuse.lxcfs');
}

/**
 * Facts recorded with every result from this guest. cpusUsable is what UnixBench should use as
 * its copy count: /proc shows all host CPUs in a container without lxcfs, the cpuset does not lie.
 */
export async function collectFacts(
  host: CommandHost,
  name: string,
  o: { layout: CgroupLayout; configText: string; asked: ResolvedLimits; seen: ObservedLimits; cpuQuotaCpus?: number },
): Promise<GuestFacts> {
  const kernel = (await attach(host, name, ['uname', '-r'], true)).trim();
  const userland = (await attach(host, name, ['uname', '-m'], true)).trim();
  const cpuinfo = await attach(host, name, ['cat', '/proc/cpuinfo'], true);
  const cpusVisible = cpuinfo.split('\n').filter((l) => /^processor\s*:/.test(l)).length;
  const meminfo = await attach(host, name, ['cat', '/proc/meminfo'], true);
  const memTotalKiB = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? NaN);
  let cpusUsable = o.seen.cpuset ? parseCpuset(o.seen.cpuset).length : o.seen.nproc;
  if (o.cpuQuotaCpus !== undefined) cpusUsable = Math.max(1, Math.min(cpusUsable, Math.ceil(o.cpuQuotaCpus)));
  const memoryMiB = o.seen.memoryBytes !== undefined ? Math.floor(o.seen.memoryBytes / 1048576) : Number.isFinite(memTotalKiB) ? Math.floor(memTotalKiB / 1024) : undefined;
  return {
    kernel,
    cpusVisible,
    cpusUsable,
    memoryMiB,
    lxcVersion: await lxcVersion(host),
    lxcConfig: o.configText,
    cgroupLayout: { mode: o.layout.mode, controllers: o.layout.controllers },
    lxcfs: await lxcfsMounted(host),
    userlandArch: userland,
    limitsAsked: o.asked,
    limitsSeen: o.seen,
  };
}
