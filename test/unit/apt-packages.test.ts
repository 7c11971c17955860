import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APT_PACKAGES, packageBringing, packagesFor, type AptPackage } from '../../src/core/apt-packages.js';
import { PrerequisiteError } from '../../src/core/errors.js';
import { LocalHost } from '../../src/hosts/local.js';
import { renderLxcConfig } from '../../src/providers/lxc/config.js';
import { packageChecks, requirePackages } from '../../src/providers/packages.js';

/**
 * One list of apt packages (src/core/apt-packages.json) for .ci/run and `virtbench doctor`: .ci/run
 * installs exactly it, every program the providers run on a host and every file the LXC config
 * includes is brought by a listed package (or by Debian's essential set), and doctor names what
 * is missing with the package that brings it.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const CI_RUN = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');

/** Programs from Debian's Essential: yes packages (coreutils, util-linux, mount, findutils, tar, dash, bash, dpkg): on every Debian. */
const ESSENTIAL = new Set([
  'sh', 'bash', 'cat', 'chmod', 'chown', 'cp', 'id', 'ln', 'ls', 'mkdir', 'mv', 'nproc', 'rm', 'test', 'true', 'truncate',
  'timeout', 'chroot', 'find', 'umount', 'mount', 'taskset', 'tar', 'dpkg-query', 'which', 'partx', 'losetup', 'rmdir', 'mktemp', 'tail',
]);

/** Names in dry-run plans that stand for what the code does itself, and doctor's optional probe. */
const NOT_A_HOST_PROGRAM: Record<string, string> = {
  ssh: 'dry-run wording: the harness speaks SSH with ssh2',
  qmp: 'dry-run wording: a QMP message on the socket',
  kill: 'dry-run wording: process.kill by PID',
  modprobe: 'doctor asks it only when it is there (kmod)',
  'grub-reboot': 'runs on the lab host whose kernels a suite measures, not here',
  'grub-editenv': 'runs on the lab host whose kernels a suite measures, not here',
  kexec: 'runs on the lab host whose kernels a suite measures, not here (kernels.boot: kexec)',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the apt package list', () => {
  it('is what .ci/run installs, read from the same file', () => {
    const installs = CI_RUN.split('\n').filter((l) => /apt-get install/.test(l) && !l.trim().startsWith('#'));
    expect(installs).toEqual(['apt-get install -y -q --no-install-recommends "${packages[@]}"']);
    const read = CI_RUN.split('\n').find((l) => l.startsWith('mapfile -t packages'));
    expect(read).toContain('src/core/apt-packages.json');
    const names = execFileSync('bash', ['-c', `${read}\nprintf '%s\\n' "\${packages[@]}"`], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(APT_PACKAGES.map((p) => p.package));
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists, for every package a provider or the report needs, something doctor can check', () => {
    for (const use of ['report', 'host', 'lxc', 'kvm'] as const) {
      expect(packagesFor(use).length, use).toBeGreaterThan(0);
      for (const p of packagesFor(use)) expect(p.programs.length + p.files.length, p.package).toBeGreaterThan(0);
    }
  });

  it('brings every program the providers and images run on a host (or it is essential)', () => {
    // OpenVZ runs its tools on an OpenVZ host, not on this one; its packages are not Debian's.
    const files = sourceFiles(join(ROOT, 'src')).filter((f) => !f.includes('/openvz/'));
    const programs = new Map<string, string>();
    const patterns = [/\brun\(\[\s*'([^']+)'/g, /\bexeca\('([^']+)'/g, /\bp\(\[\s*'([^']+)'/g, /\bargv: \['([^']+)'/g, /requireTool\(host, '([^']+)'/g];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const re of patterns) for (const m of text.matchAll(re)) programs.set(m[1]!, f.slice(ROOT.length + 1));
    }
    for (const c of ['QEMU_BINARY', 'SSHD']) {
      for (const f of files) {
        const m = new RegExp(`const ${c} = '([^']+)'`).exec(readFileSync(f, 'utf8'));
        if (m) programs.set(m[1]!, f.slice(ROOT.length + 1));
      }
    }
    expect(programs.size).toBeGreaterThan(20);
    const unlisted = [...programs].filter(([p]) => !ESSENTIAL.has(p) && !NOT_A_HOST_PROGRAM[p] && !packageBringing(p)).map(([p, f]) => `${p} (${f})`);
    expect(unlisted).toEqual([]);
  });

  it('brings every file the LXC config includes, privileged and unprivileged', () => {
    const base = { name: 'c', rootfs: '/r', arch: 'amd64' as const, bridge: 'b', veth: 'v', address: '10.0.0.2', prefix: 24, gateway: '10.0.0.1', limitLines: [], logFile: '/l' };
    for (const config of [renderLxcConfig(base), renderLxcConfig({ ...base, idmap: { hostBase: 100000, count: 65536 } })]) {
      const includes = [...config.matchAll(/^lxc\.include = (.+)$/gm)].map((m) => m[1]!);
      expect(includes.length).toBeGreaterThan(0);
      for (const inc of includes) expect(packageBringing(inc)?.for, inc).toContain('lxc');
    }
    expect(packageBringing('/usr/share/lxc/config/debian.common.conf')?.package).toBe('lxc-templates');
  });
});

describe('doctor and provision on what the packages bring (a real shell on this machine)', () => {
  const fake: AptPackage = {
    package: 'vbt-fake-templates', for: ['lxc'], why: 'the config includes it',
    programs: ['sh'], files: ['/nonexistent/vbt-fake/debian.common.conf'],
  };

  it('doctor names the missing file and the package that brings it', async () => {
    const [check] = await packageChecks(new LocalHost(), 'lxc', 'lxc', [fake]);
    expect(check).toMatchObject({ provider: 'lxc', what: 'package vbt-fake-templates', ok: false, fix: 'apt-get install --no-install-recommends vbt-fake-templates' });
    expect(check!.detail).toBe('missing /nonexistent/vbt-fake/debian.common.conf: the config includes it');
    const [ok] = await packageChecks(new LocalHost(), 'lxc', 'lxc', [{ ...fake, files: ['/'] }]);
    expect(ok).toMatchObject({ ok: true, detail: 'sh, /' });
  });

  it('a provider stops before starting anything, with the install command', async () => {
    const err = await requirePackages(new LocalHost(), 'lxc', [fake, { ...fake, package: 'vbt-fake-tools', programs: ['vbt-no-such-program'], files: [] }]).catch((e) => e);
    expect(err).toBeInstanceOf(PrerequisiteError);
    expect(err.code).toBe('MISSING_PACKAGE');
    expect(err.message).toContain('/nonexistent/vbt-fake/debian.common.conf (package vbt-fake-templates)');
    expect(err.message).toContain('vbt-no-such-program (package vbt-fake-tools)');
    expect(err.hint).toBe('apt-get install --no-install-recommends vbt-fake-templates vbt-fake-tools (see: virtbench doctor)');
    await expect(requirePackages(new LocalHost(), 'lxc', [{ ...fake, files: [] }])).resolves.toBeUndefined();
  });
});
