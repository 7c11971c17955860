/**
 * The harness's own bridge: a host-only network (no NAT, no DHCP, no lxc-net). The bridge takes
 * the subnet's .1; each container gets a static address configured by LXC itself.
 */
import { createHash } from 'node:crypto';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { ProgressSink } from '../../core/progress.js';
import { forgetOwned, listOwned, recordOwned } from '../ownership.js';

export interface Subnet {
  cidr: string;
  network: number; // as a 32-bit unsigned integer
  prefix: number;
}

const IFNAME_RE = /^[A-Za-z0-9_.-]{1,15}$/;

function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((a, p) => a * 256 + p, 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function parseSubnet(cidr: string, field = 'network.subnet'): Subnet {
  const [ip, pre] = cidr.split('/');
  const n = ip === undefined ? undefined : ipToInt(ip);
  const prefix = Number(pre);
  if (n === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 29) {
    throw new ProviderError('LXC_BAD_SUBNET', `${JSON.stringify(cidr)} is not an IPv4 subnet between /8 and /29`, { hint: 'write it like 10.213.0.0/24', location: { field } });
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((n & mask) >>> 0 !== n) throw new ProviderError('LXC_BAD_SUBNET', `${cidr} has host bits set`, { hint: `use ${intToIp((n & mask) >>> 0)}/${prefix}`, location: { field } });
  return { cidr, network: n, prefix };
}

export function contains(s: Subnet, ip: string): boolean {
  const n = ipToInt(ip);
  if (n === undefined) return false;
  const mask = (0xffffffff << (32 - s.prefix)) >>> 0;
  return ((n & mask) >>> 0) === s.network;
}

function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  const mask = (0xffffffff << (32 - p)) >>> 0;
  return ((a.network & mask) >>> 0) === ((b.network & mask) >>> 0);
}

export const gatewayOf = (s: Subnet): string => intToIp(s.network + 1);
const broadcastOf = (s: Subnet): number => s.network + 2 ** (32 - s.prefix) - 1;

export function validateBridgeName(name: string): void {
  if (!IFNAME_RE.test(name)) throw new ProviderError('LXC_BAD_BRIDGE', `${JSON.stringify(name)} is not a valid interface name`, { hint: 'use at most 15 characters of [A-Za-z0-9_.-]', location: { field: 'network.bridge' } });
}

/** A static address for a container: the one asked for, or the lowest free one from .2 up. */
export function chooseAddress(s: Subnet, asked: string | undefined, taken: string[]): string {
  if (asked !== undefined) {
    const n = ipToInt(asked);
    if (n === undefined || !contains(s, asked) || n === s.network || n === s.network + 1 || n === broadcastOf(s)) {
      throw new ProviderError('LXC_BAD_ADDRESS', `${asked} is not a usable host address in ${s.cidr} (.1 is the bridge)`, { hint: `pick one from ${intToIp(s.network + 2)} to ${intToIp(broadcastOf(s) - 1)}`, location: { field: 'network.address' } });
    }
    if (taken.includes(asked)) throw new ProviderError('LXC_ADDRESS_IN_USE', `${asked} is already used by another virtbench guest`, { hint: 'pick another address, or omit it to choose a free one', location: { field: 'network.address' } });
    return asked;
  }
  for (let n = s.network + 2; n < broadcastOf(s); n++) if (!taken.includes(intToIp(n))) return intToIp(n);
  throw new ProviderError('LXC_SUBNET_FULL', `no free address left in ${s.cidr}`, { hint: 'use a larger subnet or destroy old guests (virtbench guests list)' });
}

/** The host side of a container's veth; derived from the container name so a crash can find it. */
export function vethNameFor(container: string): string {
  return `vb${createHash('sha256').update(container).digest('hex').slice(0, 10)}`;
}

interface IpAddr { ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[]; linkinfo?: { info_kind?: string } }

async function links(host: CommandHost): Promise<IpAddr[]> {
  return JSON.parse((await host.run(['ip', '-d', '-j', 'addr', 'show'])).stdout) as IpAddr[];
}

export async function linkExists(host: CommandHost, name: string): Promise<boolean> {
  return (await host.run(['ip', 'link', 'show', 'dev', name], { allowFailure: true })).exitCode === 0;
}

export const bridgeRecordKey = (bridge: string): string => `bridge--${bridge}`;

export function bridgePlan(hostName: string, bridge: string, s: Subnet): PlannedCommand[] {
  const p = (argv: string[], purpose: string): PlannedCommand => ({ host: hostName, argv, purpose });
  return [
    p(['ip', 'link', 'add', 'name', bridge, 'type', 'bridge'], `create the bridge ${bridge} (only if missing)`),
    p(['ip', 'addr', 'add', `${gatewayOf(s)}/${s.prefix}`, 'dev', bridge], 'give the bridge the subnet\'s .1 (only if just created)'),
    p(['ip', 'link', 'set', bridge, 'up'], 'bring the bridge up'),
  ];
}

/**
 * Make sure the bridge exists with .1 of the subnet. Refuses when the subnet is already routed
 * through another interface or the name is taken by something that is not a bridge.
 */
export async function ensureBridge(host: CommandHost, bridge: string, s: Subnet, progress: ProgressSink): Promise<{ created: boolean }> {
  validateBridgeName(bridge);
  const all = await links(host);
  for (const l of all) {
    if (l.ifname === bridge) continue;
    for (const a of l.addr_info ?? []) {
      if (a.family !== 'inet') continue;
      if (overlaps(s, { cidr: '', network: ipToInt(a.local)! & ((0xffffffff << (32 - a.prefixlen)) >>> 0), prefix: a.prefixlen })) {
        throw new ProviderError('LXC_SUBNET_IN_USE', `subnet ${s.cidr} overlaps ${a.local}/${a.prefixlen} on interface ${l.ifname}`, {
          hint: `choose another network.subnet for bridge ${bridge}`,
          location: { field: 'network.subnet' },
        });
      }
    }
  }
  const gw = `${gatewayOf(s)}/${s.prefix}`;
  const existing = all.find((l) => l.ifname === bridge);
  if (existing) {
    if (existing.linkinfo?.info_kind !== 'bridge') throw new ProviderError('LXC_BRIDGE_CLASH', `interface ${bridge} exists and is not a bridge`, { hint: 'choose another network.bridge name', location: { field: 'network.bridge' } });
    const has = (existing.addr_info ?? []).some((a) => a.family === 'inet' && `${a.local}/${a.prefixlen}` === gw);
    if (!has) {
      const other = (existing.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
      if (other.length) throw new ProviderError('LXC_BRIDGE_CLASH', `bridge ${bridge} exists with ${other.join(', ')}, not ${gw}`, { hint: `use subnet ${other[0]} for this bridge or another bridge name`, location: { field: 'network.subnet' } });
      // replace, not add: another process may be adding the same address right now.
      await host.run(['ip', 'addr', 'replace', gw, 'dev', bridge]);
    }
    await host.run(['ip', 'link', 'set', bridge, 'up']);
    return { created: false };
  }
  // Record first: a crash between `ip link add` and the record must not leave an unowned bridge.
  await recordOwned({ kind: 'bridge', key: bridgeRecordKey(bridge), name: bridge, handle: { bridge, subnet: s.cidr } }, host);
  progress({ subject: bridge, step: 'provision', message: `creating bridge ${bridge} ${gw}` });
  const add = await host.run(['ip', 'link', 'add', 'name', bridge, 'type', 'bridge'], { allowFailure: true });
  if (add.exitCode !== 0 && !(await linkExists(host, bridge))) {
    await forgetOwned(bridgeRecordKey(bridge), host);
    throw new ProviderError('LXC_NO_BRIDGE', `could not create bridge ${bridge}: ${add.stderr.trim()}`, { hint: 'the kernel needs bridge support (modprobe bridge); see: virtbench doctor' });
  }
  await host.run(['ip', 'addr', 'replace', gw, 'dev', bridge]);
  await host.run(['ip', 'link', 'set', bridge, 'up']);
  return { created: true };
}

/**
 * Remove the bridge when the harness made it (its ownership record exists) and nothing uses it:
 * no interface attached and no other guest record naming it. Returns true when it was removed.
 */
export async function releaseBridge(host: CommandHost, bridge: string, exceptGuestKey: string | undefined, progress: ProgressSink): Promise<boolean> {
  const owned = await listOwned(host);
  if (!owned.some((r) => r.key === bridgeRecordKey(bridge))) return false;
  const users = owned.filter((r) => r.kind === 'guest' && r.key !== exceptGuestKey && r.handle.bridge === bridge);
  if (users.length) return false;
  if (await linkExists(host, bridge)) {
    const ports = await host.run(['ls', `/sys/class/net/${bridge}/brif`], { allowFailure: true });
    if (ports.stdout.trim()) return false;
    progress({ subject: bridge, step: 'destroy', message: `removing bridge ${bridge}` });
    await host.run(['ip', 'link', 'del', 'dev', bridge]);
  }
  await forgetOwned(bridgeRecordKey(bridge), host);
  return true;
}
