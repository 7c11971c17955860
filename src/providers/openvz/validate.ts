/**
 * Every value the OpenVZ provider puts into a command line is checked here first. The SSH
 * layer quotes each argument, but vzctl/prlctl and the container's shell see some of them
 * again (config files, hostnames), so only plain shapes get through.
 */
import { InputError } from '../../core/errors.js';
import type { OpenvzTarget } from '../../core/targets.js';

/** vzctl(8): "CT ID <= 100 are reserved"; "A numeric ID should not be more than 2147483644". */
export const CTID_MIN = 101;
export const CTID_MAX = 2147483644;

function refuse(field: string, what: string, value: unknown, hint: string): never {
  throw new InputError('OPENVZ_INVALID_VALUE', `${what}: ${JSON.stringify(value)}`, { hint, location: { field } });
}

export function validateCtid(ctid: unknown, field = 'ctid'): number {
  if (typeof ctid !== 'number' || !Number.isSafeInteger(ctid)) {
    refuse(field, 'a container ID must be a whole number', ctid, `use a number from ${CTID_MIN} to ${CTID_MAX}`);
  }
  if (ctid <= 100) refuse(field, 'container IDs 0..100 are reserved by OpenVZ', ctid, `use a number from ${CTID_MIN} to ${CTID_MAX}`);
  if (ctid > CTID_MAX) refuse(field, `container ID is above vzctl's limit ${CTID_MAX}`, ctid, `use a number from ${CTID_MIN} to ${CTID_MAX}`);
  return ctid;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Container name (prlctl NAME, vzctl --name/--hostname): letters, digits, '.', '_', '-'. */
export function validateCtName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    refuse(field, 'not a usable container name', name, 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return name;
}

/** OS template names as vzpkg prints them: centos-7-x86_64, debian-11.0-x86_64, ubuntu-20.04-x86_64. */
const TEMPLATE_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export function validateOstemplate(t: unknown, field = 'ostemplate'): string {
  if (typeof t !== 'string' || !TEMPLATE_RE.test(t) || !t.includes('-')) {
    refuse(field, 'not an OS template name', t, 'use a name from `vzpkg list -O` on the OpenVZ host, e.g. centos-7-x86_64 or debian-11.0-x86_64');
  }
  return t;
}

/** A plain IPv4 address (no mask: venet takes /32; a veth mask comes from the host's network). */
export function validateIpv4(ip: unknown, field = 'ipAddress'): string {
  const m = typeof ip === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip) : null;
  const octets = m ? m.slice(1).map(Number) : [];
  const ok = m !== null && octets.every((o, i) => o <= 255 && String(o) === m[i + 1]);
  if (!ok) refuse(field, 'not an IPv4 address', ip, 'give the container a dotted-quad address on the OpenVZ host\'s network, e.g. 192.0.2.150');
  if (octets[0] === 0 || octets[0] === 127 || octets[0]! >= 224) {
    refuse(field, 'not a usable container address (0.x, loopback, multicast or reserved)', ip, 'use an address routed to the OpenVZ host');
  }
  return ip as string;
}

/** vzctl --cpumask / prlctl --cpumask: "0", "0-3", "0,2,4-7". */
export function validateCpuset(s: unknown, field = 'limits.cpuset'): string {
  if (typeof s !== 'string' || !/^\d{1,4}(-\d{1,4})?(,\d{1,4}(-\d{1,4})?)*$/.test(s)) {
    refuse(field, 'not a CPU list', s, 'write CPUs as in taskset: 0-3 or 0,2,4-7');
  }
  return s;
}

function positiveInt(v: unknown, field: string, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) refuse(field, `${what} must be a whole number above 0`, v, `fix ${field} in the suite`);
  return v;
}

/** Checks every value of an OpenVZ target that reaches a command line. Throws InputError. */
export function validateOpenvzTarget(spec: OpenvzTarget): void {
  validateCtName(spec.name, 'name');
  if (spec.ctid !== undefined) validateCtid(spec.ctid);
  validateOstemplate(spec.ostemplate);
  validateIpv4(spec.ipAddress);
  if (!['auto', 'vzctl', 'prlctl'].includes(spec.tool)) refuse('tool', 'unknown OpenVZ tool', spec.tool, 'use auto, vzctl or prlctl');
  if (!['venet', 'veth'].includes(spec.netMode)) refuse('netMode', 'unknown network mode', spec.netMode, 'use venet (default) or veth');
  if (!['direct', 'jump'].includes(spec.reach)) refuse('reach', 'unknown way to reach the container', spec.reach, 'use direct or jump');
  const l = spec.limits;
  if (l.cpus !== undefined) positiveInt(l.cpus, 'limits.cpus', 'cpus');
  if (l.cpuset !== undefined) validateCpuset(l.cpuset);
  if (l.cpuQuota !== undefined && !(typeof l.cpuQuota === 'number' && l.cpuQuota > 0 && Number.isFinite(l.cpuQuota))) {
    refuse('limits.cpuQuota', 'cpuQuota must be a number above 0 (CPUs)', l.cpuQuota, 'e.g. 1.5 for 150% of one CPU');
  }
  if (l.memoryMiB !== undefined) positiveInt(l.memoryMiB, 'limits.memoryMiB', 'memoryMiB');
  if (l.diskGiB !== undefined) positiveInt(l.diskGiB, 'limits.diskGiB', 'diskGiB');
  if (l.pids !== undefined) positiveInt(l.pids, 'limits.pids', 'pids');
}

/**
 * The CTID used when the suite gives none: stable for (run, target) so --dry-run and the run
 * agree, in 100000..999999 to stay clear of the small IDs people pick by hand.
 */
export function derivedCtid(runId: string, targetName: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${runId}/${targetName}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return 100000 + (h % 900000);
}
