import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtbench } from '../support/cli.js';
import { CALIBRATION_DIR, readCalibration } from '../../src/analysis/calibration-store.js';
import { runCompare } from '../../src/cli/compare.js';
import { listOwned } from '../../src/providers/ownership.js';
import { processesUnder } from '../support/processes.js';
import { describeWithUnixBench } from '../support/unixbench.js';

/**
 * `virtbench calibrate` for real on the smallest profile: the bare host over SSH, UnixBench 5.1.3
 * -i 1 -c 1 dhry2reg, four A/A rounds. The calibration is stored under the host's fingerprint,
 * reads back through its schema, holds a CV and pseudo A/B pairs for the test, and compare on a
 * run in the same results folder shows what is detectable here. About 2 minutes on 2 cores.
 */
const SUITE = `name: vbt13-calibrate
workload:
  unixbench: { iterations: 1, copies: [1], tests: [dhry2reg] }
repetitions: 2
targets:
  - { name: vbt13-host, label: vbt-host, method: host }
`;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp('/tmp/vbt13-calibrate-');
  process.env.VIRTBENCH_STATE = join(tmp, 'state');
});
afterAll(async () => {
  delete process.env.VIRTBENCH_STATE;
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('virtbench calibrate, for real (bare host over SSH)', () => {
  describeWithUnixBench('four A/A rounds of dhry2reg -i 1', (source) => {
    it('stores the CV, detectable drop and false alarms under the host fingerprint, and compare uses them', async () => {
      const suite = join(tmp, 'vbt13.yaml');
      await writeFile(suite, SUITE);
      const results = join(tmp, 'results');
      const r = await virtbench(['calibrate', suite, '--rounds', '4', '--results', results, '--unixbench-source', source, '--format', 'json'], { cwd: tmp, state: join(tmp, 'state') });
      expect(r.exitCode, String(r.stderr).slice(-3000)).toBe(0);
      const printed = JSON.parse(String(r.stdout));
      expect(printed.kind).toBe('virtbench-calibration');
      const files = await readdir(join(results, CALIBRATION_DIR));
      expect(files).toEqual([`${printed.fingerprint}.json`]);
      const cal = (await readCalibration(results, printed.fingerprint))!;
      expect(cal.design).toMatchObject({ repetitions: 2, threshold: 0.02, confidence: 0.95, power: 0.8 });
      const col = cal.columns.find((c) => c.label === 'vbt-host')!;
      expect(col).toMatchObject({ rounds: 4, pairRepetitions: 2, method: 'host' });
      const dhry = col.tests.find((t) => t.test === 'Dhrystone 2 using register variables')!;
      expect(dhry.rounds).toBe(4);
      expect(dhry.cv).toBeGreaterThan(0);
      expect(dhry.cv).toBeLessThan(1);
      // Four rounds make three disjoint 2-against-2 splits, each compared with compare's own code.
      expect(dhry.falseAlarms.pairs).toBe(3);
      expect(dhry.detectableDrop === null || (dhry.detectableDrop > 0.02 && dhry.detectableDrop <= 0.99)).toBe(true);

      // compare on a run in the same results folder (here the A/A run against itself) shows the column.
      const runs = (await readdir(results)).filter((n) => n !== CALIBRATION_DIR);
      expect(runs).toHaveLength(1);
      const cmp = await runCompare({ baseline: join(results, runs[0]!), format: 'terminal', threshold: '2', confidence: '95', level: 'auto' });
      expect(cmp.output).toMatch(/detectable here/);
      expect(cmp.comparison.pairs[0]!.calibration?.rounds).toBe(4);

      expect(await listOwned()).toEqual([]);
      expect(processesUnder(tmp)).toEqual([]);
    }, 900_000);
  });
});
