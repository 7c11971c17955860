import { describe, expect, it } from 'vitest';
import { renderLxcConfig } from '../../src/providers/lxc/config.js';
import { macFor } from '../../src/providers/mac.js';
import { checkLimits, formatCpus, limitConfigLines, parseCpuset, parseLimitValue, resolveLimits, type CgroupLayout } from '../../src/providers/lxc/limits.js';
import { chooseAddress, parseSubnet, vethNameFor } from '../../src/providers/lxc/network.js';
import { rootfsKey } from '../../src/providers/images/rootfs.js';

const V1: CgroupLayout = { mode: 'hybrid', controllers: { cpuset: 1, cpu: 1, memory: 1, pids: 1 }, v1Mounts: {}, unifiedMount: '/sys/fs/cgroup/unified' };
const V2: CgroupLayout = { mode: 'v2', controllers: { cpuset: 2, cpu: 2, memory: 2, pids: 2 }, v1Mounts: {}, unifiedMount: '/sys/fs/cgroup' };

describe('LXC limits', () => {
  it('turns limits into cgroup v1 or v2 keys by where each controller lives', () => {
    const r = resolveLimits({ cpus: 2, cpuQuota: 1.5, memoryMiB: 512, pids: 100 }, [0, 1, 2, 3]);
    expect(r).toEqual({ cpuset: '0-1', cpuQuotaUs: 150_000, memoryBytes: 512 * 1048576, pids: 100 });
    expect(limitConfigLines(r, V1)).toEqual([
      'lxc.cgroup.cpuset.cpus = 0-1',
      'lxc.cgroup.cpu.cfs_period_us = 100000',
      'lxc.cgroup.cpu.cfs_quota_us = 150000',
      `lxc.cgroup.memory.limit_in_bytes = ${512 * 1048576}`,
      'lxc.cgroup.pids.max = 100',
    ]);
    expect(limitConfigLines(r, V2)).toEqual([
      'lxc.cgroup2.cpuset.cpus = 0-1',
      'lxc.cgroup2.cpu.max = 150000 100000',
      `lxc.cgroup2.memory.max = ${512 * 1048576}`,
      'lxc.cgroup2.pids.max = 100',
    ]);
    expect(limitConfigLines({}, V1)).toEqual([]);
  });

  it('rejects invalid limits naming the field', () => {
    const bad = (l: Parameters<typeof resolveLimits>[0]) => {
      try {
        resolveLimits(l, [0, 1]);
      } catch (e) {
        return e as { code: string; location: { field: string } };
      }
      throw new Error('accepted');
    };
    expect(bad({ cpus: 0 }).location.field).toBe('limits.cpus');
    expect(bad({ cpus: 1.5 }).code).toBe('LXC_BAD_LIMIT');
    expect(bad({ cpus: 3 }).code).toBe('LXC_BAD_LIMIT');
    expect(bad({ cpuset: '0-' }).location.field).toBe('limits.cpuset');
    expect(bad({ cpuset: '5' }).location.field).toBe('limits.cpuset');
    expect(bad({ cpuset: '0-1', cpus: 1 }).location.field).toBe('limits.cpus');
    expect(bad({ cpuQuota: -1 }).location.field).toBe('limits.cpuQuota');
    expect(bad({ memoryMiB: 8 }).location.field).toBe('limits.memoryMiB');
    expect(bad({ pids: 2 }).location.field).toBe('limits.pids');
    expect(bad({ diskGiB: 10 }).location.field).toBe('limits.diskGiB');
    expect(() => limitConfigLines({ pids: 50 }, { ...V1, controllers: {} })).toThrow(/pids cgroup controller is not mounted/);
  });

  it('parses what the container reports and finds mismatches', () => {
    expect(parseCpuset('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(formatCpus([5, 0, 1, 2])).toBe('0-2,5');
    expect(parseLimitValue('memoryBytes', '9223372036854771712\n')).toBeUndefined();
    expect(parseLimitValue('memoryBytes', 'max\n')).toBeUndefined();
    expect(parseLimitValue('cpuQuotaUs', '-1\n')).toBeUndefined();
    expect(parseLimitValue('cpuQuotaUs', '50000 100000\n')).toBe(50000);
    const asked = { cpuset: '0', memoryBytes: 268435456 };
    expect(checkLimits(asked, { nproc: 1, source: {}, cpuset: '0', memoryBytes: 268435456 })).toEqual([]);
    expect(checkLimits(asked, { nproc: 2, source: {}, cpuset: '0-1' })).toHaveLength(3);
  });
});

describe('LXC network', () => {
  it('validates subnets and hands out static addresses from .2', () => {
    const s = parseSubnet('10.213.0.0/24');
    expect(chooseAddress(s, undefined, [])).toBe('10.213.0.2');
    expect(chooseAddress(s, undefined, ['10.213.0.2', '10.213.0.3'])).toBe('10.213.0.4');
    expect(chooseAddress(s, '10.213.0.50', [])).toBe('10.213.0.50');
    expect(() => chooseAddress(s, '10.213.0.1', [])).toThrow(/\.1 is the bridge/);
    expect(() => chooseAddress(s, '10.213.1.5', [])).toThrow(/not a usable host address/);
    expect(() => chooseAddress(s, '10.213.0.9', ['10.213.0.9'])).toThrow(/already used/);
    expect(() => parseSubnet('10.213.0.1/24')).toThrow(/host bits/);
    expect(() => parseSubnet('10.213.0.0')).toThrow(/not an IPv4 subnet/);
    expect(() => chooseAddress(parseSubnet('10.0.0.0/29'), undefined, ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'])).toThrow(/no free address/);
  });

  it('derives interface names and MACs that fit and stay stable', () => {
    expect(vethNameFor('vbt4-a')).toMatch(/^vb[0-9a-f]{10}$/);
    expect(vethNameFor('vbt4-a')).toBe(vethNameFor('vbt4-a'));
    expect(macFor('x')).toMatch(/^02(:[0-9a-f]{2}){5}$/);
  });
});

describe('LXC config and rootfs key', () => {
  it('writes a privileged config without an id map and an unprivileged one with it', () => {
    const base = { name: 'c1', rootfs: '/var/lib/lxc/c1/rootfs', arch: 'i386' as const, bridge: 'vb0', veth: 'vbx', address: '10.0.0.2', prefix: 24, gateway: '10.0.0.1', limitLines: ['lxc.cgroup.pids.max = 100'], logFile: '/l' };
    const priv = renderLxcConfig(base);
    expect(priv).toContain('lxc.arch = linux32');
    expect(priv).toContain('lxc.net.0.ipv4.address = 10.0.0.2/24');
    expect(priv).toContain('lxc.net.0.ipv4.gateway = 10.0.0.1');
    expect(priv).toContain('lxc.cgroup.pids.max = 100');
    expect(priv).not.toContain('lxc.idmap');
    const unpriv = renderLxcConfig({ ...base, idmap: { hostBase: 100000, count: 65536 } });
    expect(unpriv).toContain('lxc.idmap = u 0 100000 65536');
    expect(unpriv).toContain('lxc.include = /usr/share/lxc/config/debian.userns.conf');
  });

  it('keys the rootfs cache by every input', () => {
    const spec = { release: 'bookworm', arch: 'amd64' as const, mirror: 'http://deb.debian.org/debian', include: ['perl', 'gcc'] };
    const k = rootfsKey(spec);
    expect(rootfsKey({ ...spec, include: ['gcc', 'perl', 'gcc'] })).toBe(k);
    expect(rootfsKey({ ...spec, include: ['gcc'] })).not.toBe(k);
    expect(rootfsKey({ ...spec, arch: 'i386' })).not.toBe(k);
    expect(rootfsKey({ ...spec, mirror: 'http://mirror.example/debian' })).not.toBe(k);
    expect(rootfsKey({ ...spec, release: 'trixie' })).not.toBe(k);
    expect(() => rootfsKey({ ...spec, include: ['gcc; rm -rf /'] })).toThrow(/invalid package name/);
  });
});
