/**
 * What a schema cannot see field by field: names that must be unique, hosts that must exist,
 * addresses that must lie in their subnet, methods that need a remote host.
 */
import type { Document, LineCounter } from 'yaml';
import type { ProviderDescriptor } from '../core/provider.js';
import { DESCRIPTORS, descriptorOf } from '../providers/registry.js';
import { lookupSshAlias } from '../remote/ssh-config.js';
import { formatField, nodeAt, positionOf, type PathSegment, type SuiteIssue } from './locate.js';
import type { RawTarget } from './schema.js';
import { closest } from './suggest.js';

export function checkPlan(
  hosts: Record<string, unknown>,
  rawTargets: unknown[],
  targets: (RawTarget | undefined)[],
  ctx: { file: string; doc: Document; lines: LineCounter },
  kernels?: unknown,
): SuiteIssue[] {
  const issues: SuiteIssue[] = [];
  const add = (path: PathSegment[], message: string, key?: string) =>
    issues.push({ file: ctx.file, ...positionOf(nodeAt(ctx.doc, path, key), ctx.lines), field: formatField(key ? [...path, key] : path), message });

  const NAME_RE = /^[a-z0-9][a-z0-9-]{0,30}$/;
  for (const [name, spec] of Object.entries(hosts)) {
    if (!NAME_RE.test(name)) add(['hosts'], `invalid host name '${name}': allowed are 1-31 characters a-z, 0-9 and '-'`, name);
    if (name === 'local' && spec !== null && spec !== undefined) add(['hosts', 'local'], "'local' is this machine and takes no settings; give a remote host another name", undefined);
    if (name !== 'local' && (spec === null || spec === undefined)) add(['hosts'], `host '${name}' needs at least an address or an ~/.ssh/config alias (only 'local' may be empty)`, name);
    if (name !== 'local' && spec !== null && typeof spec === 'object') {
      const h = spec as Record<string, unknown>;
      if (h.address === undefined && h.alias === undefined) add(['hosts', name], `host '${name}' needs an address or an ~/.ssh/config alias`);
      if (h.address !== undefined && h.alias !== undefined) add(['hosts', name, 'alias'], `host '${name}' has both an address and an alias: give one`);
      else if (typeof h.alias === 'string') {
        const found = lookupSshAlias(h.alias);
        if (!found.ok) add(['hosts', name, 'alias'], found.message);
      }
    }
  }
  const hostNames = ['local', ...Object.keys(hosts).filter((h) => h !== 'local')];

  const seen = new Map<string, number>();
  const addressesByBridge = new Map<string, Map<string, number>>();
  // Names and hosts are checked on the raw entries, so they are reported even for a target
  // that has other mistakes.
  rawTargets.forEach((raw, i) => {
    const r = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    if (typeof r.name === 'string') {
      const first = seen.get(r.name);
      if (first !== undefined) add(['targets', i, 'name'], `target name '${r.name}' is already used by targets[${first}]; names must be unique`);
      else seen.set(r.name, i);
    }
    const host = typeof r.host === 'string' ? r.host : 'local';
    if (typeof r.host === 'string' && !hostNames.includes(r.host)) {
      const guess = closest(r.host, hostNames);
      add(['targets', i, 'host'], `unknown host '${r.host}'${guess ? ` (did you mean '${guess}'?)` : ''}; allowed: ${hostNames.join(', ')} (define remote hosts under 'hosts:')`);
    }
    const d = typeof r.method === 'string' ? knownDescriptor(r.method) : undefined;
    if (host !== 'local' && hostNames.includes(host) && d && !d.placement.remote.ok) {
      add(['targets', i, 'host'], `a ${String(r.method)} target cannot run on remote host '${host}': ${d.placement.remote.why}; put it on 'local' (run virtbench on that host), or use a method that supports remote hosts (${DESCRIPTORS.filter((x) => x.placement.remote.ok).map((x) => x.method).join(', ')})`);
    }
    if (d && !d.placement.local.ok && host === 'local') {
      add(['targets', i, r.host === undefined ? 'method' : 'host'], d.placement.localMessage ?? `a ${d.method} target cannot run on this machine (${d.placement.local.why}): set 'host:' to one defined under 'hosts:'`);
    }
  });

  targets.forEach((t, i) => {
    if (!t) return;
    const d = descriptorOf(t.method);
    const net = d.guestAddress?.(t);
    if (net) {
      const problem = addressProblem(net.address, net.subnet);
      if (problem) add(['targets', i, net.field, 'address'], problem);
      const key = `${t.host}/${net.bridge}`;
      const used = addressesByBridge.get(key) ?? new Map<string, number>();
      const other = used.get(net.address);
      if (other !== undefined) add(['targets', i, net.field, 'address'], `address ${net.address} is already given to targets[${other}] on bridge ${net.bridge}`);
      used.set(net.address, i);
      addressesByBridge.set(key, used);
    }
    for (const issue of d.checkTarget?.(t) ?? []) add(['targets', i, ...issue.path], issue.message);
  });
  if (kernels !== null && typeof kernels === 'object' && typeof (kernels as { host?: unknown }).host === 'string') {
    const k = kernels as { host: string };
    const spec = hosts[k.host] as { hostKey?: unknown; trustOnFirstUse?: unknown } | null | undefined;
    if (k.host === 'local' || !(k.host in hosts)) {
      add(['kernels', 'host'], k.host === 'local'
        ? 'host kernels are measured on a remote lab host: virtbench cannot reboot the machine it runs on and measure both sides'
        : `unknown host '${k.host}'; define the lab host under 'hosts:' (address, user, key, hostKey)`);
    } else if (spec && typeof spec === 'object' && spec.hostKey === undefined && spec.trustOnFirstUse !== true) {
      add(['hosts', k.host], `host '${k.host}' is rebooted between kernels: pin its host key (hostKey: "ssh-ed25519 AAAA...", from ssh-keyscan) so every return is checked against it`);
    } else if (!rawTargets.some((raw) => raw !== null && typeof raw === 'object' && (raw as { host?: unknown }).host === k.host)) {
      add(['kernels', 'host'], `no target runs on host '${k.host}': add one (e.g. method: host, host: ${k.host}) to measure each kernel`);
    }
  }
  return issues;
}

function knownDescriptor(method: string): ProviderDescriptor | undefined {
  return DESCRIPTORS.some((d) => d.method === method) ? descriptorOf(method) : undefined;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Why an address cannot be a guest's in this subnet, or undefined when it can. */
export function addressProblem(address: string, subnet: string): string | undefined {
  const [base, prefixText] = subnet.split('/');
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(toInt(base!) / size) * size;
  const a = toInt(address);
  if (a < network || a >= network + size) return `address ${address} is outside the subnet ${subnet}`;
  if (a === network) return `address ${address} is the network address of ${subnet}`;
  if (a === network + 1) return `address ${address} is the bridge's own address in ${subnet} (the bridge takes .1)`;
  if (a === network + size - 1) return `address ${address} is the broadcast address of ${subnet}`;
  return undefined;
}
