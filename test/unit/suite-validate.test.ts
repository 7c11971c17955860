import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSuite, SuiteError } from '../../src/suite/load.js';
import { resultIdOf, scheduleFor } from '../../src/suite/order.js';
import { SHORT_PROFILE } from '../../src/suite/short-profile.js';

const SUITES = join(import.meta.dirname, '..', '..', 'suites');

function mistakes(text: string) {
  try {
    parseSuite(text, '/tmp/vbt7-bad.yaml');
  } catch (e) {
    if (e instanceof SuiteError) return e.issues;
    throw e;
  }
  throw new Error('the suite was accepted');
}

// Line numbers below are the 1-based lines of this text.
const BAD = `name: Bad Suite
repetitons: 3
order: random
hosts:
  local:
  lab:
    address: 192.0.2.1
    prot: 22
workload:
  unixbench:
    iterations: 0
    tests: [dhry2reg, whetstone, pipee]
    copies: [1, 32]
targets:
  - name: h
    method: hots
  - name: c1
    method: lxc
    privilege: false
    network: { subnet: 10.213.0.0/33, address: 10.99.0.5 }
    limits: { cpu: 2, memoryMiB: 10 }
  - name: c1
    method: lxc
    host: lap
  - name: k
    method: kvm
    cpus: many
    disk: { cache: nonne }
    net: { mode: tapp }
  - name: o
    method: openvz
  - method: host
  - name: c3
    method: lxc
    network: { address: 10.213.0.1 }
`;

describe('a suite full of mistakes', () => {
  const issues = mistakes(BAD);
  const at = (field: string) => issues.find((i) => i.field === field);

  it('reports every mistake in one pass, each with file, line and field', () => {
    const expected: [string, number, RegExp][] = [
      ['name', 1, /invalid suite name/],
      ['repetitons', 2, /unknown field 'repetitons' \(did you mean 'repetitions'\?\)/],
      ['order', 3, /"random" is not allowed; allowed: interleaved, sequential/],
      ['hosts.lab.prot', 8, /unknown field 'prot' \(did you mean 'port'\?\)/],
      ['workload.unixbench.iterations', 11, /at least 1/],
      ['workload.unixbench.tests[2]', 12, /unknown UnixBench test or group "pipee" \(did you mean 'pipe'\?\)/],
      ['workload.unixbench.copies[1]', 13, /above 16 copies/],
      ['targets[0].method', 16, /"hots" is not allowed \(did you mean 'host'\?\); allowed: host, lxc, kvm, openvz/],
      ['targets[1].privilege', 19, /did you mean 'privileged'/],
      ['targets[1].network.subnet', 20, /CIDR/],
      ['targets[1].limits.cpu', 21, /did you mean 'cpus'/],
      ['targets[1].limits.memoryMiB', 21, /at least 64/],
      ['targets[2].name', 22, /already used by targets\[1\]/],
      ['targets[2].host', 24, /unknown host 'lap' \(did you mean 'lab'\?\)/],
      ['targets[3].cpus', 27, /"all"/],
      ['targets[3].disk.cache', 28, /did you mean 'none'/],
      ['targets[3].net.mode', 29, /did you mean 'tap'/],
      ['targets[4].ipAddress', 30, /missing required field 'ipAddress'/],
      ['targets[4].method', 31, /needs a remote OpenVZ host/],
      ['targets[5].name', 32, /missing required field 'name'/],
      ['targets[6].network.address', 35, /bridge's own address/],
    ];
    for (const [field, line, message] of expected) {
      const issue = at(field);
      expect(issue, `no issue for ${field}; got ${issues.map((i) => i.field).join(', ')}`).toBeDefined();
      expect(issue!.line, field).toBe(line);
      expect(issue!.message, field).toMatch(message);
      expect(issue!.file).toBe('/tmp/vbt7-bad.yaml');
    }
    // 'whetstone' is a real UnixBench group: not a mistake.
    expect(at('workload.unixbench.tests[1]')).toBeUndefined();
    expect(issues).toHaveLength(expected.length);
  });

  it('prints them as file:line:column: field: message lines with a hint', () => {
    let text = '';
    try {
      parseSuite(BAD, '/tmp/vbt7-bad.yaml');
    } catch (e) {
      text = (e as SuiteError).describe();
    }
    expect(text).toContain("/tmp/vbt7-bad.yaml:2:1: field 'repetitons': unknown field 'repetitons'");
    expect(text).toMatch(/hint: /);
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = mistakes('targets:\n  - name: a\n    method: [host\n');
    expect(issues[0]!.field).toBe('(YAML syntax)');
    expect(issues[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('rejects duplicate keys and an empty target list', () => {
    expect(mistakes('targets:\n  - name: a\n    name: b\n    method: host\n')[0]!.line).toBe(3);
    const empty = mistakes('targets: []\n');
    expect(empty[0]).toMatchObject({ field: 'targets', line: 1 });
    expect(empty[0]!.message).toMatch(/at least one target/);
  });

  it('rejects an LXC SSH wait below 5 s, with its line', () => {
    const issues = mistakes('targets:\n  - name: a\n    method: lxc\n    sshTimeoutSeconds: 2\n');
    expect(issues[0]).toMatchObject({ field: 'targets[0].sshTimeoutSeconds', line: 4 });
    expect(issues[0]!.message).toMatch(/at least 5/);
  });
});

describe('the shipped suites', () => {
  const files = readdirSync(SUITES).filter((f) => f.endsWith('.yaml'));

  it('are all there', () => {
    expect(files.sort()).toEqual(['host-quick.yaml', 'kernel-regression.yaml', 'kvm-quick.yaml', 'lab-kernels.yaml', 'local-quick.yaml', 'lxc-quick.yaml', 'seed-2011.yaml']);
  });

  for (const f of files) {
    it(`${f} validates`, () => {
      const plan = parseSuite(readFileSync(join(SUITES, f), 'utf8'), join(SUITES, f));
      expect(plan.targets.length).toBeGreaterThan(0);
      expect(plan.name).toBe(f.replace(/\.yaml$/, ''));
    });
  }

  it('seed-2011 is the 2011 comparison: LXC, OpenVZ on a remote host, KVM with the slides\' tuning, default UnixBench', () => {
    const plan = parseSuite(readFileSync(join(SUITES, 'seed-2011.yaml'), 'utf8'), join(SUITES, 'seed-2011.yaml'));
    expect(plan.targets.map((t) => t.spec.method)).toEqual(['lxc', 'openvz', 'kvm', 'kvm']);
    expect(plan.workload.profile).toBe('default');
    expect(plan.workload.options).toEqual({ locale: 'C', version: '5.1.3', allowOtherVersion: false });
    const [kvm, tuned] = plan.targets.filter((t) => t.spec.method === 'kvm');
    expect(kvm!.cpusFromHost).toBe(true);
    // The reproduction column: the slides set no cache mode, and QEMU before 1.2 then used writethrough.
    expect(kvm!.spec).toMatchObject({ memoryMiB: 2048, cpuModel: 'host', disk: { cache: 'writethrough', aio: 'threads' }, droppedOptions: ['-clock hpet', 'boot=on', 'vlan='] });
    expect(kvm!.label).toBe('KVM (virtio, 2011 defaults)');
    // Today's tuning beside it, labelled as such.
    expect(tuned!.spec).toMatchObject({ memoryMiB: 2048, cpuModel: 'host', disk: { cache: 'none', aio: 'native' } });
    expect(tuned!.label).toBe('KVM (virtio, cache=none aio=native)');
    for (const t of plan.targets) expect(t.spec.limits).toEqual({});
    const openvz = plan.targets.find((t) => t.spec.method === 'openvz')!;
    expect(plan.hosts.find((h) => h.name === openvz.spec.host)).toMatchObject({ kind: 'remote', ssh: { address: '192.0.2.10', user: 'root' } });
  });

  it('local-quick has host, LXC and KVM on this machine with the short profile', () => {
    const plan = parseSuite(readFileSync(join(SUITES, 'local-quick.yaml'), 'utf8'), join(SUITES, 'local-quick.yaml'));
    expect(plan.targets.map((t) => t.spec.method)).toEqual(['host', 'lxc', 'kvm']);
    expect(plan.hosts).toEqual([{ name: 'local', kind: 'local' }]);
    expect(plan.workload.options).toMatchObject({ iterations: 1, copies: [1], tests: [...SHORT_PROFILE.tests] });
  });

  it('kernel-regression differs only in the guest kernel', () => {
    const plan = parseSuite(readFileSync(join(SUITES, 'kernel-regression.yaml'), 'utf8'), join(SUITES, 'kernel-regression.yaml'));
    const [a, b] = plan.targets.map((t) => t.spec);
    const strip = (s: typeof a) => ({ ...s, name: '', kernel: undefined, kernelPackage: undefined });
    expect(strip(a)).toEqual(strip(b));
    // Runs as shipped: a Debian kernel package against the image's own kernel, no paths to edit.
    expect(a!.method === 'kvm' && a!.kernelPackage).toEqual({ name: 'linux-image-6.1.0-47-amd64' });
    expect(b!.method === 'kvm' && (b!.kernel ?? b!.kernelPackage)).toBeUndefined();
  });

  it('kernel-regression plans a second image with the kernel package, booted instead of the image kernel', async () => {
    const { KvmProvider } = await import('../../src/providers/kvm/provider.js');
    const { dryRunText } = await import('../../src/runner/dry-run.js');
    const plan = parseSuite(readFileSync(join(SUITES, 'kernel-regression.yaml'), 'utf8'), join(SUITES, 'kernel-regression.yaml'));
    const text = await dryRunText(plan, { providers: { kvm: new KvmProvider() }, workloadLines: [], seed: 1 });
    const [old, cur] = text.split(/\ntarget kernel-new/);
    const kernelOf = (t: string) => / -kernel (\S+)/.exec(t.split('\n').filter((l) => l.includes('-drive')).join('\n'))?.[1];
    expect(kernelOf(old!)).toMatch(/\/images\/kvm-bookworm-amd64-[0-9a-f]{16}\/vmlinuz$/);
    expect(kernelOf(cur!)).toMatch(/\/images\/kvm-bookworm-amd64-[0-9a-f]{16}\/vmlinuz$/);
    expect(kernelOf(old!)).not.toBe(kernelOf(cur!));
    // On a cold cache the second image's debootstrap brings the package.
    const include = old!.split('\n').find((l) => l.includes('debootstrap'));
    if (include) expect(include).toContain('linux-image-6.1.0-47-amd64');
  });
});

describe('defaults', () => {
  const plan = parseSuite('targets:\n  - { name: c, method: lxc }\n  - { name: k, method: kvm }\n  - { name: h, method: host }\n', '/tmp/vbt7-min.yaml');

  it('fills LXC defaults as in 2011', () => {
    expect(plan.targets[0]!.spec).toEqual({
      name: 'c', method: 'lxc', host: 'local', limits: {}, privileged: true,
      network: { bridge: 'virtbench0', subnet: '10.213.0.0/24' }, sshTimeoutSeconds: 60,
      image: { release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian' },
    });
  });

  it('fills KVM defaults: accel auto, all host CPUs, 2048 MiB, cpu host, cache none + aio native, user net', () => {
    expect(plan.targets[1]).toMatchObject({ cpusFromHost: true });
    expect(plan.targets[1]!.spec).toMatchObject({
      accel: 'auto', memoryMiB: 2048, cpuModel: 'host', hugepages: false,
      disk: { cache: 'none', aio: 'native', sizeGiB: 8 }, net: { mode: 'user' }, image: { kind: 'debootstrap', release: 'bookworm' },
    });
  });

  it('defaults the workload to `./Run` with no arguments, one repetition, interleaved order, suite name from the file', () => {
    expect(plan.workload).toEqual({ name: 'unixbench', profile: 'default', options: { locale: 'C', version: '5.1.3', allowOtherVersion: false } });
    expect(plan.repetitions).toBe(1);
    expect(plan.order).toEqual({ mode: 'interleaved', seed: undefined });
    expect(plan.name).toBe('vbt7-min');
  });

  it('resolves relative paths against the suite file and fills a remote host', () => {
    const p = parseSuite(
      'hosts:\n  lab: { address: 192.0.2.5, key: keys/id }\ntargets:\n  - { name: h, method: host, host: lab }\n  - { name: k, method: kvm, cpus: 2, kernel: { path: k/vmlinuz } }\n',
      '/tmp/vbt7-dir/s.yaml',
    );
    expect(p.targets[0]!.spec).toMatchObject({ method: 'host', ssh: { address: '192.0.2.5', port: 22, user: 'root', privateKeyPath: '/tmp/vbt7-dir/keys/id', trustOnFirstUse: false } });
    expect(p.targets[1]!.spec).toMatchObject({ cpus: 2, kernel: { path: '/tmp/vbt7-dir/k/vmlinuz' } });
    expect(p.hosts.map((h) => h.name)).toEqual(['local', 'lab']);
  });
});

describe('order', () => {
  const text = 'repetitions: 3\ntargets:\n  - { name: a, method: host }\n  - { name: b, method: host }\n  - { name: c, method: host }\n';

  it('interleaves: every repetition is a round over all targets, shuffled by the seed, reproducibly', () => {
    const plan = parseSuite(text, '/tmp/vbt7-o.yaml');
    const order = scheduleFor(plan, 42).get('local')!.map(resultIdOf);
    expect(order).toEqual(scheduleFor(plan, 42).get('local')!.map(resultIdOf));
    expect(order).toHaveLength(9);
    for (let r = 0; r < 3; r++) expect(order.slice(r * 3, r * 3 + 3).map((id) => id.split('-')[0]).sort()).toEqual(['a', 'b', 'c']);
    const orders = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => scheduleFor(plan, s).get('local')!.map(resultIdOf).join()));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('sequential: all repetitions of a target, then the next, as listed', () => {
    const plan = parseSuite(`order: sequential\n${text}`, '/tmp/vbt7-o.yaml');
    expect(scheduleFor(plan, 42).get('local')!.map(resultIdOf)).toEqual(['a-r1', 'a-r2', 'a-r3', 'b-r1', 'b-r2', 'b-r3', 'c-r1', 'c-r2', 'c-r3']);
  });
});
