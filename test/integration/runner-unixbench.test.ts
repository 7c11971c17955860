import { execa } from 'execa';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hostname, release } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `virtbench run` end to end with real UnixBench 5.1.3 in a real LXC container: provision,
 * build, run (two 10-second tests, -i 1 -c 1), collect, parse, destroy, and the report rendered
 * on the run directory. Needs VIRTBENCH_UNIXBENCH_SOURCE (a directory or tarball of 5.1.3).
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE = process.env.VIRTBENCH_UNIXBENCH_SOURCE;
const haveLxc = process.getuid?.() === 0 && (await execa('which', ['lxc-start'], { reject: false })).exitCode === 0;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp('/tmp/vbt7-ub-');
});
afterAll(async () => {
  if ((await execa('lxc-info', ['-n', 'vbt7-ub'], { reject: false })).exitCode === 0) {
    await execa('lxc-stop', ['-n', 'vbt7-ub', '-k'], { reject: false });
    await execa('lxc-destroy', ['-n', 'vbt7-ub'], { reject: false });
  }
  await execa('ip', ['link', 'del', 'dev', 'vbt7br0'], { reject: false });
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!SOURCE || !haveLxc)('virtbench run with UnixBench in an LXC container', () => {
  it('measures, stores the parsed result with its raw files, cleans up, and renders the report', async () => {
    const suite = join(tmp, 'vbt7-ub.yaml');
    await writeFile(suite, `name: vbt7-ub
workload:
  unixbench: { iterations: 1, copies: [1], tests: [dhry2reg, syscall] }
targets:
  - { name: vbt7-ub, label: LXC, method: lxc, network: { bridge: vbt7br0, subnet: 10.231.7.0/24, address: 10.231.7.20 } }
`);
    const r = await execa('node', [
      '--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'src/cli.ts'), 'run', suite,
      '--unixbench-source', SOURCE!, '--results', join(tmp, 'results'), '--reports', join(tmp, 'reports'),
    ], { cwd: tmp, reject: false, stdin: 'ignore', env: { VIRTBENCH_STATE: join(tmp, 'state') } });
    expect(r.exitCode, r.stderr).toBe(0);
    const runs = await readdir(join(tmp, 'results'));
    expect(runs).toHaveLength(1);
    const runDir = join(tmp, 'results', runs[0]!);
    const doc = JSON.parse(await readFile(join(runDir, 'vbt7-ub-r1', 'result.json'), 'utf8'));
    expect(doc).toMatchObject({ status: 'ok', target: { method: 'lxc', label: 'LXC' }, workload: { name: 'unixbench', version: '5.1.3' } });
    const pass = doc.unixbench.passes[0];
    expect(pass.tests.map((t: { name: string }) => t.name)).toEqual(['Dhrystone 2 using register variables', 'System Call Overhead']);
    expect(pass.index.score).toBeGreaterThan(0);
    expect(doc.manifest.virtualization).toBe('lxc');
    // The machine the container ran on: this one.
    expect(doc.hostManifest).toMatchObject({ kernelRelease: release(), hostname: hostname() });
    for (const f of doc.rawFiles) await readFile(join(runDir, 'vbt7-ub-r1', f));
    expect(r.stderr).toMatch(/report: /);
    const reportFiles = await readdir(join(tmp, 'reports', runs[0]!));
    expect(reportFiles).toEqual(expect.arrayContaining(['report.pdf', 'report.md']));
    expect((await execa('lxc-ls', ['-1'])).stdout).not.toMatch(/vbt7-ub/);
  });
});

describe.skipIf(!!SOURCE && haveLxc)('virtbench run with UnixBench (skipped)', () => {
  it.skip('set VIRTBENCH_UNIXBENCH_SOURCE to a UnixBench 5.1.3 directory or tarball (and run as root with lxc installed) to run this test', () => {});
});
