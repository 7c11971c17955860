/**
 * Argument lists for vzctl(8) and prlctl(8) as OpenVZ 7 / Virtuozzo 7 accept them. Sources:
 * vzctl(8) and vzctl/src/vzctl.c (create options), libvzctl/lib/env_config.c and cpu.c (what
 * 0 and "unlimited" mean), prlctl(8) and prlctl/src/CmdParam.cpp (github.com/OpenVZ).
 * Nothing here runs anything; provider.ts sends these through CommandHost.run().
 */
import type { Limits } from '../../core/targets.js';

export type OpenvzTool = 'vzctl' | 'prlctl';

/** One container: vzctl addresses it by CTID, prlctl by name. */
export interface CtRef {
  tool: OpenvzTool;
  ctid: number;
  name: string;
}

/** What the host check found that the "no limit" settings of prlctl need. */
export interface HostCapacity {
  cpus?: number;
  memoryMiB?: number;
}

export type NetMode = 'venet' | 'veth';

/** The name vzctl prints in `vzctl status` / prlctl in `prlctl status`. */
export function ctArg(ct: CtRef): string {
  return ct.tool === 'vzctl' ? String(ct.ctid) : ct.name;
}

export function toolVersion(tool: OpenvzTool): string[] {
  return [tool, '--version'];
}

export function ctStatus(ct: CtRef): string[] {
  return [ct.tool, 'status', ctArg(ct)];
}

export interface CreateOptions {
  ostemplate: string;
  hostname: string;
  ipAddress: string;
  netMode: NetMode;
  diskGiB?: number;
}

/** vzctl create takes --ipadd/--hostname/--diskspace itself (vzctl.c create_options). */
export function ctCreate(ct: CtRef, o: CreateOptions): string[] {
  if (ct.tool === 'vzctl') {
    return [
      'vzctl', 'create', String(ct.ctid),
      '--ostemplate', o.ostemplate,
      '--hostname', o.hostname,
      ...(o.netMode === 'venet' ? ['--ipadd', o.ipAddress] : []),
      ...(o.diskGiB !== undefined ? ['--diskspace', `${o.diskGiB}G`] : []),
    ];
  }
  return ['prlctl', 'create', ct.name, '--vmtype', 'ct', '--ostemplate', o.ostemplate];
}

/**
 * What "no limits" (2011's "nolimit") means per tool:
 * - vzctl: --cpus 0 removes CPUS (all host CPUs, env_config.c), --cpulimit 0 is no CPU cap,
 *   --cpumask all, --physpages/--swappages 0:unlimited become the cgroup maximum (env_nsops.c
 *   clamps to PAGE_COUNTER_MAX). Disk: a ploop image always has a size; the sample config's
 *   DISKSPACE stays (10 GiB in ve-basic.conf-sample; UnixBench needs well under 1 GiB).
 * - prlctl: --memsize must be a number above 0 (CmdParam.cpp), so no-limit memory is the
 *   host's MemTotal; CPUs are the host's count, --cpulimit 0, --cpumask all, swap unlimited.
 */
export function ctLimits(ct: CtRef, limits: Limits, host: HostCapacity): string[][] {
  const cpuLimit = limits.cpuQuota !== undefined ? String(Math.round(limits.cpuQuota * 100)) : '0';
  const cpumask = limits.cpuset ?? 'all';
  if (ct.tool === 'vzctl') {
    const argv = ['vzctl', 'set', String(ct.ctid),
      '--cpus', String(limits.cpus ?? 0),
      '--cpulimit', cpuLimit,
      '--cpumask', cpumask,
      ...(limits.memoryMiB !== undefined
        ? ['--ram', `${limits.memoryMiB}M`, '--swap', '0']
        : ['--physpages', '0:unlimited', '--swappages', '0:unlimited']),
      ...(limits.pids !== undefined ? ['--numproc', `${limits.pids}:${limits.pids}`] : []),
      '--save'];
    return [argv];
  }
  const cpus = limits.cpus ?? host.cpus;
  const mem = limits.memoryMiB ?? host.memoryMiB;
  const set = ['prlctl', 'set', ct.name,
    '--cpus', cpus !== undefined ? String(cpus) : '<host CPU count>',
    '--cpulimit', cpuLimit,
    '--cpumask', cpumask,
    '--memsize', mem !== undefined ? String(mem) : '<host MemTotal in MiB>',
    '--swappages', limits.memoryMiB !== undefined ? '0' : '0:unlimited'];
  const out = [set];
  if (limits.diskGiB !== undefined) out.push(['prlctl', 'set', ct.name, '--device-set', 'hdd0', '--size', `${limits.diskGiB}G`]);
  return out;
}

/** venet is set by `vzctl create --ipadd`; veth needs its own interface (vzctl(8) --netif_add). */
export function ctNetwork(ct: CtRef, ipAddress: string, mode: NetMode): string[][] {
  if (ct.tool === 'vzctl') {
    if (mode === 'venet') return [];
    return [
      ['vzctl', 'set', String(ct.ctid), '--netif_add', 'eth0', '--save'],
      ['vzctl', 'set', String(ct.ctid), '--ifname', 'eth0', '--ipadd', ipAddress, '--save'],
    ];
  }
  if (mode === 'venet') return [['prlctl', 'set', ct.name, '--ipadd', ipAddress]];
  return [['prlctl', 'set', ct.name, '--device-add', 'net', '--network', 'Bridged', '--ipadd', ipAddress]];
}

/** `--wait`: vzctl returns once the container's init has finished booting. */
export function ctStart(ct: CtRef): string[] {
  return ct.tool === 'vzctl' ? ['vzctl', 'start', String(ct.ctid), '--wait'] : ['prlctl', 'start', ct.name];
}

export function ctStop(ct: CtRef): string[] {
  return ct.tool === 'vzctl' ? ['vzctl', 'stop', String(ct.ctid)] : ['prlctl', 'stop', ct.name];
}

export function ctDestroy(ct: CtRef): string[] {
  return ct.tool === 'vzctl' ? ['vzctl', 'destroy', String(ct.ctid)] : ['prlctl', 'delete', ct.name];
}

/**
 * Run argv inside the container with no shell in between: `vzctl exec3` execs the command
 * directly (vzctl(8): "exec3 ... not quotes command args"; exec/exec2 join them for bash),
 * `prlctl exec --without-shell` likewise (prlctl(8)).
 */
export function ctExec(ct: CtRef, argv: readonly string[]): string[] {
  return ct.tool === 'vzctl'
    ? ['vzctl', 'exec3', String(ct.ctid), ...argv]
    : ['prlctl', 'exec', ct.name, '--without-shell', ...argv];
}

/** The container's configuration, recorded as a fact. */
export function ctConfig(ct: CtRef): string[] {
  return ct.tool === 'vzctl' ? ['cat', `/etc/vz/conf/${ct.ctid}.conf`] : ['prlctl', 'list', '-i', ct.name];
}

// ---- inside the container ----

export type DistroFamily = 'debian' | 'rhel';

const FAMILY_BY_PREFIX: Record<string, DistroFamily> = {
  debian: 'debian', ubuntu: 'debian',
  centos: 'rhel', almalinux: 'rhel', rocky: 'rhel', rockylinux: 'rhel', vzlinux: 'rhel',
  fedora: 'rhel', redhat: 'rhel', rhel: 'rhel', oracle: 'rhel', cloudlinux: 'rhel', sl: 'rhel',
};

/** centos-7-x86_64 -> rhel; debian-11.0-x86_64 -> debian; a leading '.' (hidden default) is ignored. */
export function distroFamily(ostemplate: string): DistroFamily | undefined {
  const prefix = ostemplate.replace(/^\./, '').split('-')[0]!.toLowerCase();
  return FAMILY_BY_PREFIX[prefix];
}

/** What UnixBench 5.1.3 needs to build and run (make, gcc, libc headers, perl with Time::HiRes) and sshd. */
export function packageInstall(family: DistroFamily): string[][] {
  if (family === 'debian') {
    return [
      ['apt-get', 'update'],
      ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends',
        'make', 'gcc', 'libc6-dev', 'perl', 'openssh-server'],
    ];
  }
  return [['yum', 'install', '-y', 'make', 'gcc', 'glibc-devel', 'perl', 'perl-Time-HiRes', 'openssh-server']];
}

/** Constant script; the key arrives as $1, never inside the script text. */
export const AUTHORIZE_KEY_SCRIPT =
  'umask 077 && mkdir -p /root/.ssh && printf "%s\\n" "$1" >> /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys';

export function authorizeKey(publicKey: string): string[] {
  return ['/bin/sh', '-c', AUTHORIZE_KEY_SCRIPT, 'sh', publicKey];
}

/** Host keys the template lacks are generated in the container, then sshd is (re)started. */
export const GENERATE_HOST_KEYS = ['ssh-keygen', '-A'];
export const RESTART_SSHD_SCRIPT =
  'systemctl restart sshd 2>/dev/null || systemctl restart ssh 2>/dev/null || service sshd restart 2>/dev/null || service ssh restart';
export const RESTART_SSHD = ['/bin/sh', '-c', RESTART_SSHD_SCRIPT];
/** Read over the authenticated channel to the OpenVZ host, so the key is pinned, not trusted on first use. */
export const READ_HOST_KEY = ['cat', '/etc/ssh/ssh_host_ed25519_key.pub'];
export const COUNT_CPUS = ['nproc'];
