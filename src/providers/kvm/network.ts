/**
 * Guest networking. User-mode (default): QEMU's own NAT, the guest at 10.0.2.15 and its SSH
 * port forwarded to 127.0.0.1:<port>. Tap: a tap device on the harness's bridge (which must
 * exist; the LXC provider or the user makes it), the guest at a static address of its subnet,
 * the bridge at .1.
 */
import { createHash } from 'node:crypto';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { KvmTarget } from '../../core/targets.js';
import { staticNetwork } from '../images/seed-disk.js';

export const USER_NET = { address: '10.0.2.15', prefix: 24, gateway: '10.0.2.2', dns: '10.0.2.3' };

export interface TapPlan {
  ifname: string;
  bridge: string;
  address: string;
  prefix: number;
  gateway: string;
}

export function tapName(runId: string, guest: string): string {
  return `vbt${createHash('sha256').update(`${runId}/${guest}`).digest('hex').slice(0, 8)}`;
}

function ipToInt(ip: string): number | undefined {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The guest's address on the bridge: the one given, or one derived from its name in .10-.249. */
export function planTap(spec: KvmTarget, runId: string): TapPlan | undefined {
  if (spec.net.mode !== 'tap') return undefined;
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(spec.net.subnet);
  const base = m ? ipToInt(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (base === undefined || !(prefix >= 8 && prefix <= 30)) {
    throw new ProviderError('KVM_BAD_SUBNET', `target '${spec.name}': invalid subnet ${JSON.stringify(spec.net.subnet)}`, { hint: 'use a CIDR such as 10.231.5.0/24', location: { field: 'net.subnet' } });
  }
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const net = (base & mask) >>> 0;
  let address = spec.net.address;
  if (address) {
    const a = ipToInt(address);
    if (a === undefined || ((a & mask) >>> 0) !== net) {
      throw new ProviderError('KVM_BAD_ADDRESS', `target '${spec.name}': address ${address} is not in ${spec.net.subnet}`, { hint: 'pick an address inside the subnet, not .1 (the bridge)', location: { field: 'net.address' } });
    }
  } else {
    const h = createHash('sha256').update(spec.name).digest().readUInt32BE(0);
    const room = Math.min(240, (~mask >>> 0) - 11);
    address = intToIp(net + 10 + (h % Math.max(1, room)));
  }
  return { ifname: tapName(runId, spec.name), bridge: spec.net.bridge, address, prefix, gateway: intToIp(net + 1) };
}

export function guestNetworkConfig(tap: TapPlan | undefined): string {
  return tap ? staticNetwork(tap.address, tap.prefix, tap.gateway) : staticNetwork(USER_NET.address, USER_NET.prefix, USER_NET.gateway, USER_NET.dns);
}

export function tapCommands(hostName: string, tap: TapPlan): PlannedCommand[] {
  return [
    { host: hostName, argv: ['ip', 'tuntap', 'add', 'dev', tap.ifname, 'mode', 'tap'], purpose: 'tap device for the guest' },
    { host: hostName, argv: ['ip', 'link', 'set', 'dev', tap.ifname, 'master', tap.bridge], purpose: `attach it to bridge ${tap.bridge}` },
    { host: hostName, argv: ['ip', 'link', 'set', 'dev', tap.ifname, 'up'], purpose: 'bring it up' },
  ];
}

export async function createTap(host: CommandHost, tap: TapPlan): Promise<void> {
  const br = await host.run(['ip', '-o', 'link', 'show', 'dev', tap.bridge, 'type', 'bridge'], { allowFailure: true });
  if (br.exitCode !== 0 || !br.stdout.trim()) {
    throw new ProviderError('KVM_NO_BRIDGE', `bridge ${tap.bridge} does not exist on ${host.name}`, { hint: `create it (ip link add ${tap.bridge} type bridge; ip addr add ${tap.gateway}/${tap.prefix} dev ${tap.bridge}; ip link set ${tap.bridge} up) or use net.mode: user`, location: { field: 'net.bridge' } });
  }
  const exists = await host.run(['ip', 'link', 'show', 'dev', tap.ifname], { allowFailure: true });
  if (exists.exitCode === 0) throw new ProviderError('KVM_TAP_EXISTS', `tap device ${tap.ifname} already exists`, { hint: 'a guest of the same run and name is running; run virtbench guests destroy' });
  for (const c of tapCommands(host.name, tap)) await host.run(c.argv);
}

export async function removeTap(host: CommandHost, ifname: string): Promise<void> {
  await host.run(['ip', 'link', 'del', 'dev', ifname], { allowFailure: true });
}
