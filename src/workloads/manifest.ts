/**
 * The environment a result came from, read on the target in one command: kernel, command line,
 * CPU model, microcode and flags, CPUs online, memory, governor, THP, mitigations, virtualization as
 * systemd-detect-virt (or /proc hints) sees it, and the compiler.
 */
import type { EnvironmentManifest } from '../core/manifest.js';
import type { CommandHost } from '../core/host.js';
import type { SshSession } from '../remote/session.js';

const SCRIPT = [
  's() { printf "\\n@@%s\\n" "$1"; }',
  's hostname; hostname 2>/dev/null || cat /proc/sys/kernel/hostname',
  's os; ( . /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" ) || uname -o',
  's release; uname -r',
  's version; uname -v',
  's arch; uname -m',
  's cmdline; cat /proc/cmdline 2>/dev/null',
  's cpuinfo; grep -m1 -E "^model name" /proc/cpuinfo; grep -m1 -E "^flags" /proc/cpuinfo; grep -m1 -E "^microcode" /proc/cpuinfo',
  's online; cat /sys/devices/system/cpu/online 2>/dev/null; getconf _NPROCESSORS_ONLN 2>/dev/null',
  's meminfo; grep -m1 MemTotal /proc/meminfo',
  's governor; cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null',
  's thp; cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null',
  's mitigations; grep -H . /sys/devices/system/cpu/vulnerabilities/* 2>/dev/null',
  's virt; systemd-detect-virt 2>/dev/null || { [ -e /proc/vz ] && [ ! -e /proc/bc ] && echo openvz; } || { grep -qa container=lxc /proc/1/environ 2>/dev/null && echo lxc; } || { grep -q hypervisor /proc/cpuinfo && echo vm; } || echo none',
  's compiler; gcc --version 2>/dev/null | head -n 1',
  'true',
].join('\n');

function sections(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of text.split(/\n@@/).slice(1)) {
    const nl = part.indexOf('\n');
    m.set(nl < 0 ? part : part.slice(0, nl), nl < 0 ? '' : part.slice(nl + 1).trim());
  }
  return m;
}

/** Parse the SCRIPT output (exported for tests on recorded output). */
export function parseManifest(text: string, extra: Partial<EnvironmentManifest> = {}): EnvironmentManifest {
  const s = sections('\n' + text);
  const get = (k: string) => s.get(k) ?? '';
  const cpu = get('cpuinfo');
  const online = get('online').split('\n');
  const mitigations: Record<string, string> = {};
  for (const line of get('mitigations').split('\n').filter(Boolean)) {
    const i = line.indexOf(':');
    if (i > 0) mitigations[line.slice(0, i).split('/').pop()!] = line.slice(i + 1).trim();
  }
  const thp = /\[(\w+)\]/.exec(get('thp'))?.[1] ?? (get('thp') || undefined);
  return {
    collectedAt: new Date().toISOString(),
    hostname: get('hostname'),
    os: get('os'),
    kernelRelease: get('release'),
    kernelVersion: get('version'),
    kernelCmdline: get('cmdline') || undefined,
    arch: get('arch'),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpu)?.[1]?.trim() ?? '',
    microcode: /^microcode\s*:\s*(.*)$/m.exec(cpu)?.[1]?.trim() || undefined,
    cpuFlags: (/^flags\s*:\s*(.*)$/m.exec(cpu)?.[1] ?? '').trim().split(/\s+/).filter(Boolean),
    cpusOnline: Number(online[1] ?? online[0]) || countCpuList(online[0] ?? ''),
    memoryMiB: Math.round(Number(/(\d+)/.exec(get('meminfo'))?.[1] ?? 0) / 1024),
    governor: get('governor') || undefined,
    transparentHugepages: thp,
    mitigations: Object.keys(mitigations).length ? mitigations : undefined,
    virtualization: get('virt').split('\n')[0] || undefined,
    compiler: get('compiler') || undefined,
    ...extra,
  };
}

/** "0-3,6" -> 5. */
export function countCpuList(list: string): number {
  let n = 0;
  for (const part of list.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b! - a! + 1;
  }
  return n;
}

export async function collectManifest(session: SshSession, extra: Partial<EnvironmentManifest> = {}): Promise<EnvironmentManifest> {
  const r = await session.exec(['sh', '-c', SCRIPT], { retryOnDisconnect: true, timeoutMs: 60_000 });
  return parseManifest(r.stdout, extra);
}

/** The same manifest for the machine a guest runs on (this one, or a suite host over SSH). */
export async function collectHostManifest(host: CommandHost, extra: Partial<EnvironmentManifest> = {}): Promise<EnvironmentManifest> {
  const r = await host.run(['sh', '-c', SCRIPT], { timeoutMs: 60_000 });
  return parseManifest(r.stdout, extra);
}
