import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtbench } from '../support/cli.js';

/**
 * UnixBench 6.0.0 end to end on the host target: `virtbench run` with workload.unixbench.version
 * 6.0.0 (-i 1 -c 1, two 10-second tests), then the same short run with 5.1.3, and `compare`
 * between them: refused without --variable unixbench-version, accepted with it. Needs
 * VIRTBENCH_UNIXBENCH_SOURCE_6 (6.0.0) and VIRTBENCH_UNIXBENCH_SOURCE (5.1.3).
 */
const SOURCE_5 = process.env.VIRTBENCH_UNIXBENCH_SOURCE;
const SOURCE_6 = process.env.VIRTBENCH_UNIXBENCH_SOURCE_6;
const cli = (args: string[]) => virtbench(args, { cwd: tmp, state: join(tmp, 'state') });

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp('/tmp/vbt14-ub6-');
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function runOnce(version: string, source: string): Promise<string> {
  const suite = join(tmp, `ub-${version}.yaml`);
  await writeFile(suite, `name: vbt14-ub-${version.replace(/\./g, '')}
workload:
  unixbench: { version: ${version}, iterations: 1, copies: [1], tests: [dhry2reg, syscall] }
targets:
  - { name: host, label: host, method: host }
`);
  const results = join(tmp, `results-${version}`);
  const r = await cli(['run', suite, '--unixbench-source', source, '--results', results, '--reports', join(tmp, `reports-${version}`)]);
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
  const runs = await readdir(results);
  expect(runs).toHaveLength(1);
  return join(results, runs[0]!);
}

describe.skipIf(!SOURCE_5 || !SOURCE_6)('UnixBench 6.0.0 beside 5.1.3, end to end on this machine', () => {
  let six: string;

  it('runs 6.0.0 on the host target and records it as 6.0.0, its figures checked', async () => {
    six = await runOnce('6.0.0', SOURCE_6!);
    const doc = JSON.parse(await readFile(join(six, 'host-r1', 'result.json'), 'utf8'));
    expect(doc).toMatchObject({ status: 'ok', workload: { name: 'unixbench', version: '6.0.0', options: { version: '6.0.0' } }, unixbench: { version: '6.0.0' } });
    expect(doc.manifest.unixbench.version).toBe('6.0.0');
    const pass = doc.unixbench.passes[0];
    expect(pass.tests.map((t: { name: string }) => t.name)).toEqual(['Dhrystone 2 using register variables', 'System Call Overhead']);
    expect(pass.index.score).toBeGreaterThan(0);
    // The parser's checks hold for 6.0.0's report and .log too.
    expect(doc.unixbench.checks.length).toBeGreaterThan(0);
    expect(doc.unixbench.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
  });

  it('compare refuses it against a 5.1.3 run unless the version is the variable', async () => {
    expect(six, 'the 6.0.0 run above').toBeDefined();
    const five = await runOnce('5.1.3', SOURCE_5!);
    const refused = await cli(['compare', five, six]);
    expect(refused.exitCode, refused.stdout).toBe(2);
    expect(refused.stderr).toMatch(/UnixBench 5\.1\.3.*6\.0\.0/);
    expect(refused.stderr).toMatch(/--variable unixbench-version/);
    const accepted = await cli(['compare', five, six, '--variable', 'unixbench-version']);
    expect([0, 1], `${accepted.stdout}\n${accepted.stderr}`).toContain(accepted.exitCode);
    expect(accepted.stdout).toMatch(/System Benchmarks Index Score/);
  });
});

describe.skipIf(!!SOURCE_5 && !!SOURCE_6)('UnixBench 6.0.0 end to end (skipped)', () => {
  it.skip('set VIRTBENCH_UNIXBENCH_SOURCE (5.1.3) and VIRTBENCH_UNIXBENCH_SOURCE_6 (6.0.0) to directories or tarballs to run this test', () => {});
});
