import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import type { OpenvzTarget } from '../../src/core/targets.js';
import {
  CTID_MAX, derivedCtid, validateCpuset, validateCtName, validateCtid, validateIpv4, validateOpenvzTarget, validateOstemplate,
} from '../../src/providers/openvz/validate.js';

const HOSTILE = ['; rm -rf /', '$(id)', '`id`', 'a\nb', 'a b', "it's", '-rf', '--ostemplate', '../../etc/passwd', '', ' ', 'x|y', 'x&&y', 'x>y', '\u0000', 'über'];

function target(over: Partial<OpenvzTarget>): OpenvzTarget {
  return { name: 'ovz7', method: 'openvz', host: 'ovz', limits: {}, tool: 'auto', ctid: 150, ostemplate: 'centos-7-x86_64', ipAddress: '192.0.2.150', netMode: 'venet', reach: 'jump', ...over };
}

describe('OpenVZ validation', () => {
  it('accepts the real shapes', () => {
    expect(validateCtid(101)).toBe(101);
    expect(validateCtid(CTID_MAX)).toBe(CTID_MAX);
    expect(validateCtName('vb-ovz7-150')).toBe('vb-ovz7-150');
    for (const t of ['centos-7-x86_64', 'debian-11.0-x86_64', 'ubuntu-20.04-x86_64', 'almalinux-9-x86_64', 'sles-15+sp1-x86_64']) expect(validateOstemplate(t)).toBe(t);
    expect(validateIpv4('192.0.2.150')).toBe('192.0.2.150');
    expect(validateCpuset('0,2,4-7')).toBe('0,2,4-7');
    expect(() => validateOpenvzTarget(target({}))).not.toThrow();
  });

  it('refuses CTIDs 0..100 (reserved), non-integers and values above vzctl\'s limit', () => {
    for (const id of [0, 1, 50, 100, -5, 101.5, CTID_MAX + 1, Number.NaN, Infinity]) {
      expect(() => validateCtid(id), String(id)).toThrow(InputError);
    }
    for (const id of ['150', '150; rm -rf /', null, undefined]) expect(() => validateCtid(id)).toThrow(InputError);
    try {
      validateCtid(100);
    } catch (e) {
      expect((e as InputError).code).toBe('OPENVZ_INVALID_VALUE');
      expect((e as InputError).message).toMatch(/reserved/);
      expect((e as InputError).location?.field).toBe('ctid');
    }
  });

  it('refuses hostile names, templates, addresses and CPU lists', () => {
    for (const v of HOSTILE) {
      expect(() => validateCtName(v), JSON.stringify(v)).toThrow(InputError);
      expect(() => validateOstemplate(v), JSON.stringify(v)).toThrow(InputError);
      expect(() => validateIpv4(v), JSON.stringify(v)).toThrow(InputError);
      expect(() => validateCpuset(v), JSON.stringify(v)).toThrow(InputError);
    }
    for (const t of ['centos-7-x86_64\n', 'centos-7-x86_64; id', '$(id)-x', '.centos-7', 'centos', `${'a-'.repeat(70)}`]) {
      expect(() => validateOstemplate(t), JSON.stringify(t)).toThrow(InputError);
    }
    for (const ip of ['256.1.1.1', '1.2.3', '1.2.3.4/24', '01.2.3.4', '127.0.0.1', '0.0.0.0', '224.0.0.1', '192.0.2.150\n']) {
      expect(() => validateIpv4(ip), ip).toThrow(InputError);
    }
  });

  it('checks a whole target and names the field', () => {
    const cases: [Partial<OpenvzTarget>, string][] = [
      [{ name: '$(id)' }, 'name'],
      [{ ctid: 7 }, 'ctid'],
      [{ ostemplate: 'centos-7-x86_64 --config evil' }, 'ostemplate'],
      [{ ipAddress: '192.0.2.1; reboot' }, 'ipAddress'],
      [{ limits: { cpuset: '0-1;id' } }, 'limits.cpuset'],
      [{ limits: { cpus: 0 } }, 'limits.cpus'],
      [{ limits: { memoryMiB: 1.5 } }, 'limits.memoryMiB'],
      [{ limits: { cpuQuota: -1 } }, 'limits.cpuQuota'],
      [{ netMode: 'bridge' as never }, 'netMode'],
    ];
    for (const [over, field] of cases) {
      let err: unknown;
      try {
        validateOpenvzTarget(target(over));
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(InputError);
      expect((err as InputError).location?.field).toBe(field);
    }
  });

  it('derives CTIDs in 100000..999999 that differ between runs', () => {
    const ids = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const id = derivedCtid(`run-${i}`, 'ovz7');
      expect(id).toBeGreaterThanOrEqual(100000);
      expect(id).toBeLessThan(1000000);
      expect(() => validateCtid(id)).not.toThrow();
      ids.add(id);
    }
    expect(ids.size).toBeGreaterThan(195);
  });
});
