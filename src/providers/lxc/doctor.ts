/** `virtbench doctor` for LXC: what the LXC provider needs on a host, each with the fix when it is missing. */
import type { DoctorCheck } from '../../core/provider.js';
import type { CommandHost } from '../../core/host.js';
import { I386_FIX, probeI386 } from '../images/i386-probe.js';
import { packageChecks } from '../packages.js';
import { resolveIdMap, SUBID_FIX } from './idshift.js';
import { detectCgroupLayout } from './limits.js';

/** What the LXC provider needs on a host, each with the fix when it is missing. */
export async function lxcDoctor(host: CommandHost): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = await packageChecks(host, 'lxc', 'lxc');
  const add = (what: string, ok: boolean, detail: string, fix?: string) => checks.push({ provider: 'lxc', what, ok, detail, fix: ok ? undefined : fix });
  const has = async (tool: string) => (await host.run(['sh', '-c', 'command -v "$1"', 'sh', tool], { allowFailure: true })).exitCode === 0;

  if (await has('lxc-checkconfig')) {
    const text = (await host.run(['lxc-checkconfig'], { allowFailure: true, env: { ...process.env, NO_COLOR: '1' } as Record<string, string> })).stdout.replace(/\x1b\[[0-9;]*m/g, '');
    const state = (label: string): string | undefined => new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*(\\S+)`, 'm').exec(text)?.[1];
    const essentials: [string, string][] = [
      ['Namespaces', 'a kernel with CONFIG_NAMESPACES'],
      ['Pid namespace', 'a kernel with CONFIG_PID_NS'],
      ['Network namespace', 'a kernel with CONFIG_NET_NS'],
      ['Utsname namespace', 'a kernel with CONFIG_UTS_NS'],
      ['Ipc namespace', 'a kernel with CONFIG_IPC_NS'],
      ['Cgroups', 'a kernel with CONFIG_CGROUPS'],
      ['Veth pair device', 'a kernel with CONFIG_VETH (modprobe veth)'],
      ['Bridges', 'a kernel with CONFIG_BRIDGE (modprobe bridge)'],
    ];
    for (const [label, fix] of essentials) {
      const s = state(label);
      add(`kernel: ${label.toLowerCase()}`, s === 'enabled', s ? `lxc-checkconfig: ${s}` : 'not reported by lxc-checkconfig', fix);
    }
    const userns = state('User namespace');
    checks.push({ provider: 'lxc', what: 'kernel: user namespace (unprivileged containers only)', ok: userns === 'enabled', detail: `lxc-checkconfig: ${userns ?? 'not reported'}`, fix: userns === 'enabled' ? undefined : 'a kernel with CONFIG_USER_NS, or keep privileged: true' });
  }

  const layout = await detectCgroupLayout(host);
  const ctl = Object.entries(layout.controllers).map(([c, v]) => `${c}:v${v}`).join(' ');
  const missing = (['cpuset', 'cpu', 'memory', 'pids'] as const).filter((c) => !layout.controllers[c]);
  add('cgroup controllers', missing.length === 0, `${layout.mode}; ${ctl || 'none'}`, `enable the ${missing.join(', ')} controller(s) (kernel command line / mount), or avoid those limits`);

  const mounts = (await host.readFile('/proc/mounts')).toString('utf8');
  const lxcfs = mounts.split('\n').some((l) => l.split(' ')[2] === 'fuse.lxcfs');
  checks.push({ provider: 'lxc', what: 'lxcfs (optional)', ok: true, detail: lxcfs ? 'mounted: containers see their own CPU count in /proc' : 'not running: containers see the host CPU count in /proc; virtbench passes UnixBench the usable count' });

  const bridgeMod = (await host.run(['test', '-d', '/sys/module/bridge'], { allowFailure: true })).exitCode === 0;
  const bridgeCfg = !bridgeMod && (await has('modprobe')) && (await host.run(['modprobe', '-n', 'bridge'], { allowFailure: true })).exitCode === 0;
  add('bridge support', bridgeMod || bridgeCfg, bridgeMod ? 'bridge module loaded' : bridgeCfg ? 'bridge module available' : 'no bridge module', 'a kernel with CONFIG_BRIDGE (modprobe bridge)');
  const idmap = await resolveIdMap(host).then((m) => `root maps ${m.hostBase}..${m.hostBase + m.count - 1}`, (e: Error) => e);
  checks.push({ provider: 'lxc', what: 'subordinate ids (unprivileged containers only)', ok: typeof idmap === 'string', detail: typeof idmap === 'string' ? idmap : idmap.message, fix: typeof idmap === 'string' ? undefined : SUBID_FIX });
  const i386 = await probeI386(host);
  checks.push({ provider: 'lxc', what: 'i386 userland (arch: i386 targets only)', ok: i386.ok, detail: i386.detail, ...(i386.ok ? {} : { fix: I386_FIX }) });
  const root = (await host.run(['id', '-u'], { allowFailure: true })).stdout.trim() === '0';
  add('root', root, root ? 'running as root' : 'not root', 'run virtbench as root (containers, bridges and debootstrap need it)');
  return checks;
}
