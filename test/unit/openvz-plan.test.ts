import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProvisionContext } from '../../src/core/provider.js';
import type { CommandHost } from '../../src/core/host.js';
import type { OpenvzTarget } from '../../src/core/targets.js';
import { OpenvzProvider } from '../../src/providers/openvz/provider.js';
import { ctLimits, ctExec, distroFamily } from '../../src/providers/openvz/commands.js';
import { parseCacheDir, parseVzpkgList, parseMemTotalMiB } from '../../src/providers/openvz/host-check.js';
import { parseStatus, diagnoseCreate } from '../../src/providers/openvz/diagnose.js';
import { FIXTURES_DIR } from '../fakes/openvz/fake-host.js';
import { parseTranscript, splitWords } from '../fakes/openvz/replay.mjs';

const publicKey = readFileSync(join(FIXTURES_DIR, 'run-key.pub'), 'utf8').trim();
const noHost: CommandHost = {
  name: 'root@ovz7.example:22',
  isLocal: false,
  run: () => { throw new Error('plan() must not run anything'); },
  writeFile: () => { throw new Error('plan() must not write'); },
  readFile: () => { throw new Error('plan() must not read'); },
  close: async () => {},
};
const ctx: ProvisionContext = { host: noHost, runId: 'r1', workDir: '/tmp/vbt6-unit', key: { privateKeyPath: '/tmp/vbt6-unit/key', publicKey }, progress: () => {} };

function target(over: Partial<OpenvzTarget>): OpenvzTarget {
  return { name: 'ovz7', method: 'openvz', host: 'ovz', limits: {}, tool: 'auto', ctid: 150, ostemplate: 'centos-7-x86_64', ipAddress: '192.0.2.150', netMode: 'venet', reach: 'jump', ...over };
}

function transcriptArgv(name: string): string[][] {
  return parseTranscript(readFileSync(join(FIXTURES_DIR, name), 'utf8'), name).map((s) => s.argv);
}

describe('OpenvzProvider.plan', () => {
  it('lists exactly the commands of a vzctl lifecycle, in order, without running anything', async () => {
    const plan = await new OpenvzProvider().plan(target({}), ctx);
    expect(plan.map((c) => c.argv)).toEqual(transcriptArgv('vzctl-lifecycle.transcript'));
    expect(plan.every((c) => c.host === 'root@ovz7.example:22' && c.purpose.length > 5)).toBe(true);
    expect(plan.find((c) => c.argv[1] === 'set')!.purpose).toMatch(/no limits/);
  });

  it('lists exactly the commands of a prlctl lifecycle with limits', async () => {
    const spec = target({ name: 'ovz7p', ctid: 151, tool: 'prlctl', ostemplate: 'debian-11.0-x86_64', ipAddress: '192.0.2.151', limits: { cpus: 2, memoryMiB: 2048 } });
    const plan = await new OpenvzProvider().plan(spec, ctx);
    expect(plan.map((c) => c.argv)).toEqual(transcriptArgv('prlctl-lifecycle.transcript'));
  });

  it('shows veth and limits as separate vzctl set commands', async () => {
    const plan = await new OpenvzProvider().plan(target({ netMode: 'veth', limits: { cpus: 2, cpuset: '0-1', cpuQuota: 1.5, memoryMiB: 1024, pids: 500, diskGiB: 20 } }), ctx);
    const argv = plan.map((c) => c.argv.join(' '));
    expect(argv).toContain('vzctl create 150 --ostemplate centos-7-x86_64 --hostname vb-ovz7-150 --diskspace 20G');
    expect(argv).toContain('vzctl set 150 --cpus 2 --cpulimit 150 --cpumask 0-1 --ram 1024M --swap 0 --numproc 500:500 --save');
    expect(argv).toContain('vzctl set 150 --netif_add eth0 --save');
    expect(argv).toContain('vzctl set 150 --ifname eth0 --ipadd 192.0.2.150 --save');
  });

  it('derives a stable CTID per run and target when the suite gives none', async () => {
    const a = await new OpenvzProvider().plan(target({ ctid: undefined }), ctx);
    const b = await new OpenvzProvider().plan(target({ ctid: undefined }), ctx);
    const create = a.find((c) => c.argv[1] === 'create')!.argv;
    expect(create).toEqual(b.find((c) => c.argv[1] === 'create')!.argv);
    const id = Number(create[2]);
    expect(id).toBeGreaterThanOrEqual(100000);
    expect(id).toBeLessThan(1000000);
  });

  it('refuses hostile target values before planning anything', async () => {
    await expect(new OpenvzProvider().plan(target({ ostemplate: 'centos-7; rm -rf /' }), ctx)).rejects.toThrow(/OS template/);
    await expect(new OpenvzProvider().plan(target({ ctid: 100 }), ctx)).rejects.toThrow(/reserved/);
  });
});

describe('what "no limits" means per tool', () => {
  const ct = { ctid: 150, name: 'vb-x-150' };
  it('vzctl: all CPUs, no CPU cap, unlimited RAM and swap', () => {
    expect(ctLimits({ tool: 'vzctl', ...ct }, {}, {})).toEqual([
      ['vzctl', 'set', '150', '--cpus', '0', '--cpulimit', '0', '--cpumask', 'all', '--physpages', '0:unlimited', '--swappages', '0:unlimited', '--save'],
    ]);
  });
  it('prlctl: the host CPU count and MemTotal, since --memsize must be a number', () => {
    expect(ctLimits({ tool: 'prlctl', ...ct }, {}, { cpus: 8, memoryMiB: 15884 })).toEqual([
      ['prlctl', 'set', 'vb-x-150', '--cpus', '8', '--cpulimit', '0', '--cpumask', 'all', '--memsize', '15884', '--swappages', '0:unlimited'],
    ]);
    expect(ctLimits({ tool: 'prlctl', ...ct }, {}, {})[0]).toContain('<host MemTotal in MiB>');
  });
  it('runs commands in the container without a shell', () => {
    expect(ctExec({ tool: 'vzctl', ...ct }, ['nproc'])).toEqual(['vzctl', 'exec3', '150', 'nproc']);
    expect(ctExec({ tool: 'prlctl', ...ct }, ['nproc'])).toEqual(['prlctl', 'exec', 'vb-x-150', '--without-shell', 'nproc']);
  });
  it('picks the package manager from the template name', () => {
    expect(distroFamily('centos-7-x86_64')).toBe('rhel');
    expect(distroFamily('.almalinux-9-x86_64')).toBe('rhel');
    expect(distroFamily('debian-11.0-x86_64')).toBe('debian');
    expect(distroFamily('ubuntu-20.04-x86_64')).toBe('debian');
    expect(distroFamily('suse-15-x86_64')).toBeUndefined();
  });
});

describe('reading the tools\' output', () => {
  it('parses vzpkg list -O, the cache dir, meminfo and status lines', () => {
    expect(parseVzpkgList('centos-7-x86_64                    2023-05-17 12:33:05\nubuntu-20.04-x86_64               \n')).toEqual([
      { name: 'centos-7-x86_64', cached: true },
      { name: 'ubuntu-20.04-x86_64', cached: false },
    ]);
    expect(parseCacheDir('centos-6-x86_64.tar.gz\ncentos-7-x86_64.plain.ploopv2.tar.lz4\nREADME\n').map((t) => t.name)).toEqual(['centos-6-x86_64', 'centos-7-x86_64']);
    expect(parseMemTotalMiB('MemTotal:       16265800 kB\n')).toBe(15884);
    expect(parseStatus('VEID 150 exist mounted running\n')).toEqual({ exists: true, running: true, mounted: true });
    expect(parseStatus('CTID 101 deleted unmounted down')).toEqual({ exists: false, running: false, mounted: false });
    expect(parseStatus('CT web exist stopped')).toEqual({ exists: true, running: false, mounted: false });
    expect(parseStatus('VM web deleted').exists).toBe(false);
  });

  it('turns vzctl create failures into errors that say what to do', () => {
    const c = { ctid: 150, name: 'vb-x-150', ostemplate: 'centos-5-x86_64' };
    const f = (stderr: string, exitCode: number) => diagnoseCreate({ host: 'h', argv: ['vzctl', 'create', '150'], result: { stdout: '', stderr, exitCode } }, c);
    // libvzctl/lib/vztmpl.c:386 and create.c:825
    const missing = f('Error: Unable to find ostemplate: centos-5-x86_64\nCreation of Container private area failed\n', 24);
    expect(missing.code).toBe('OPENVZ_TEMPLATE_MISSING');
    expect(missing.message).toContain("'centos-5-x86_64'");
    expect(missing.hint).toMatch(/vzpkg install template centos-5-x86_64/);
    expect(missing.hint).toMatch(/vztmpl-dl centos-5-x86_64/);
    // create.c:672, exit 44
    expect(f('Container 150 already exists\n', 44).code).toBe('OPENVZ_CTID_IN_USE');
    expect(f('vz-create_prvt ERROR: Insufficient disk space in /vz/private/150 available: 1 needed: 2\n', 46).code).toBe('OPENVZ_NO_DISK_SPACE');
    expect(f('something else\n', 3).code).toBe('OPENVZ_CREATE_FAILED');
  });

  it('splits transcript command lines like a shell', () => {
    expect(splitWords(`a 'b c' "d \\"e\\" \\$f" g\\ h ''`)).toEqual(['a', 'b c', 'd "e" $f', 'g h', '']);
  });
});
