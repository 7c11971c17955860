import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import { calibrateColumn, detectableDrop, pseudoPairs } from '../../src/analysis/calibration.js';
import { calibrationPath, hostFingerprint, readCalibration } from '../../src/analysis/calibration-store.js';
import { pooledLogSd } from '../../src/analysis/detectable-here.js';
import { groupsOf } from '../../src/analysis/groups.js';
import { ratioInterval, logDifference } from '../../src/analysis/ratio.js';
import { bonferroniLevel, decide } from '../../src/analysis/verdict.js';
import { calibrateRun } from '../../src/cli/calibrate.js';
import { runCompare } from '../../src/cli/compare.js';
import { adaptiveRounds, ROUNDS_FILE } from '../../src/cli/adaptive-rounds.js';
import { seededRng } from '../../src/core/random.js';
import { writeResult } from '../../src/results/run-dir.js';
import type { ResultSet } from '../../src/results/model.js';
import { parseSuite } from '../../src/suite/load.js';
import { INDEX_TESTS } from '../../src/workloads/unixbench/catalogue.js';
import { createRunDir } from '../support/run-dir.js';
import { flatMedians, SYNTHETIC_MANIFEST, syntheticResults } from '../support/synthetic.js';

const TESTS = ['dhry2reg', 'syscall', 'pipe'];
const design = { repetitions: 3, confidence: 0.95, threshold: 0.02 };

/** An independent power estimate, straight from the verdict code on generated samples (another seed than detectableDrop's). */
function simulatedPower(logSd: number, n: number, m: number, drop: number, trials: number, seed: number): number {
  const rng = seededRng(seed);
  const level = bonferroniLevel(0.95, m);
  let hits = 0;
  for (let i = 0; i < trials; i++) {
    const b = Array.from({ length: n }, () => Math.exp(logSd * rng.normal()));
    const c = Array.from({ length: n }, () => (1 - drop) * Math.exp(logSd * rng.normal()));
    if (decide(ratioInterval(logDifference(b, c), level), 0.02).verdict === 'regressed') hits++;
  }
  return hits / trials;
}

suite('calibration maths (synthetic data: seeded log-normal runs, not measurements)', () => {
  it('synthetic: the detectable drop is where the verdict reaches 80% power, checked with independent draws', () => {
    for (const [logSd, n, m] of [[0.01, 3, 4], [0.03, 5, 13], [0.005, 2, 4]] as const) {
      const d = detectableDrop(logSd, n, m, { confidence: 0.95, threshold: 0.02 }, { seed: 3 })!;
      expect(d, `${logSd} ${n}`).toBeGreaterThan(0.02);
      const at = simulatedPower(logSd, n, m, d, 4000, 99);
      expect(at, `power at ${d}`).toBeGreaterThan(0.76);
      expect(at).toBeLessThan(0.84);
      expect(simulatedPower(logSd, n, m, Math.max(0.02, d * 0.8), 4000, 98)).toBeLessThan(0.8);
    }
  });

  it('synthetic: more noise or a bigger family needs a bigger drop, more repetitions a smaller one', () => {
    const d = (sd: number, n: number, m: number) => detectableDrop(sd, n, m, { confidence: 0.95, threshold: 0.02 })!;
    expect(d(0.02, 5, 4)).toBeGreaterThan(d(0.01, 5, 4));
    expect(d(0.01, 5, 13)).toBeGreaterThan(d(0.01, 5, 1));
    expect(d(0.01, 10, 4)).toBeLessThan(d(0.01, 3, 4));
    // Almost no noise: the threshold itself is the limit (nothing under it is ever "regressed").
    expect(d(0.0005, 5, 4)).toBeCloseTo(0.02, 2);
    // Looks of an adaptive design spread alpha further.
    expect(detectableDrop(0.01, 5, 4, { confidence: 0.95, threshold: 0.02, looks: 8 })!).toBeGreaterThan(d(0.01, 5, 4));
    // Two runs a side against 30% noise: nothing under 99% is found 80% of the time.
    expect(detectableDrop(0.3, 2, 13, { confidence: 0.95, threshold: 0.02 })).toBeUndefined();
    expect(detectableDrop(0.01, 1, 4, { confidence: 0.95, threshold: 0.02 })).toBeUndefined();
  });

  it('pseudo A/B pairs: every disjoint split once, or a seeded sample of them', () => {
    const all = pseudoPairs(6, 2);
    expect(all).toHaveLength(45); // C(6,2) x C(4,2) / 2
    for (const [a, b] of all) {
      expect(a.filter((i) => b.includes(i))).toEqual([]);
      expect(a[0]!).toBeLessThan(b[0]!);
    }
    expect(new Set(all.map((p) => JSON.stringify(p))).size).toBe(45);
    expect(pseudoPairs(10, 5, 50, 7)).toEqual(pseudoPairs(10, 5, 50, 7));
    expect(pseudoPairs(10, 5, 50, 7)).toHaveLength(50);
    expect(pseudoPairs(3, 2)).toEqual([]);
  });

  it('synthetic A/A rounds: CV found, false alarms at or under the stated 5%', () => {
    const rng = seededRng(11);
    const set: ResultSet = { source: 'synthetic', name: 'aa', results: syntheticResults(rng, { label: 'lxc', method: 'lxc', medians: flatMedians(1000, TESTS), cv: 0.01, repetitions: 8 }) };
    const col = calibrateColumn(groupsOf(set)[0]!, design);
    expect(col.rounds).toBe(8);
    expect(col.familySize).toBe(4);
    expect(col.pairRepetitions).toBe(3);
    expect(col.familyFalseAlarms.pairs).toBe(280); // C(8,3) x C(5,3) / 2
    for (const t of col.tests.slice(0, 3)) {
      expect(t.cv).toBeGreaterThan(0.004);
      expect(t.cv).toBeLessThan(0.02);
      expect(t.detectableDrop).toBeGreaterThan(0.02);
    }
    expect(col.familyFalseAlarms.rate).toBeLessThanOrEqual(0.05);
  });

  it('synthetic rounds that are NOT stationary (a 10% step half way): the split count flags it', () => {
    const rng = seededRng(12);
    const first = syntheticResults(rng, { label: 'lxc', method: 'lxc', medians: flatMedians(1000, TESTS), cv: 0.002, repetitions: 4 });
    const second = syntheticResults(rng, { label: 'lxc', method: 'lxc', medians: flatMedians(900, TESTS), cv: 0.002, repetitions: 4 }).map((d, i) => ({ ...d, id: `lxc-c1-r${5 + i}`, repetition: 5 + i }));
    const col = calibrateColumn(groupsOf({ source: 'synthetic', name: 'step', results: [...first, ...second] })[0]!, { ...design, repetitions: 2 });
    // Splits with the two halves on opposite sides (2+2 from each half never: those are the mixed ones) call a 10% change.
    expect(col.familyFalseAlarms.rate).toBeGreaterThan(0.05);
    expect(col.familyFalseAlarms.flagged).toBeGreaterThan(0);
  });

  it('pooled log sd: root mean square of the sides, one side alone when only it is known', () => {
    expect(pooledLogSd(0.03, 0.04)).toBeCloseTo(Math.sqrt((0.0009 + 0.0016) / 2), 12);
    expect(pooledLogSd(undefined, 0.02)).toBe(0.02);
    expect(pooledLogSd(null, undefined)).toBeUndefined();
  });
});

suite('calibration file, compare and adaptive repetitions (synthetic A/A runs in real run directories)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vb-calibration-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function aaRun(name: string, rounds: number, cv: number, seed: number, targets = ['lxc'], tests: readonly string[] = TESTS): Promise<{ dir: string; set: ResultSet }> {
    const dir = await createRunDir(root, name);
    const rng = seededRng(seed);
    const results = targets.flatMap((t) => syntheticResults(rng, { label: t, method: 'lxc', medians: flatMedians(1000, tests), cv, repetitions: rounds }, name));
    for (const doc of results) await writeResult(dir, doc);
    return { dir, set: { source: dir, name, results } };
  }

  it('stores the calibration under the host fingerprint, reads it back through the schema, merges columns', async () => {
    const { dir, set } = await aaRun('cal-a', 6, 0.01, 21);
    const { files } = await calibrateRun(set, design, { resultsDir: root, runDir: dir, seed: 1 });
    expect(files).toHaveLength(1);
    const fp = hostFingerprint(SYNTHETIC_MANIFEST);
    expect(files[0]!.path).toBe(calibrationPath(root, fp));
    const back = await readCalibration(root, fp);
    expect(back?.columns.map((c) => c.label)).toEqual(['lxc']);
    expect(back?.columns[0]!.tests[0]!.cv).toBeGreaterThan(0);
    // Another column of the same host is added; the same column is replaced.
    const other = await aaRun('cal-b', 6, 0.01, 22, ['kvm']);
    await calibrateRun(other.set, design, { resultsDir: root, runDir: other.dir, seed: 1 });
    await calibrateRun(set, design, { resultsDir: root, runDir: dir, seed: 1 });
    expect((await readCalibration(root, fp))?.columns.map((c) => c.label).sort()).toEqual(['kvm', 'lxc']);
    // Another kernel is another host: no calibration for it.
    expect(hostFingerprint({ ...SYNTHETIC_MANIFEST, kernelRelease: '6.1.0-other' })).not.toBe(fp);
    expect(hostFingerprint({ ...SYNTHETIC_MANIFEST, hostname: 'renamed', collectedAt: '2027-01-01T00:00:00Z' })).toBe(fp);
  });

  it('a damaged or edited calibration file is refused with its name', async () => {
    const dir = join(root, 'damaged');
    const fp = hostFingerprint(SYNTHETIC_MANIFEST);
    const file = calibrationPath(dir, fp);
    const { set, dir: runDir } = await aaRun('cal-damaged', 5, 0.01, 23);
    await calibrateRun(set, design, { resultsDir: dir, runDir, seed: 1 });
    const good = JSON.parse(await readFile(file, 'utf8'));
    for (const [bad, msg] of [
      ['{ not json', /not JSON/],
      [JSON.stringify({ ...good, columns: [{ ...good.columns[0], tests: [{ ...good.columns[0].tests[0], cv: -1 }] }] }), /does not match its schema/],
      [JSON.stringify({ ...good, fingerprint: '0123456789abcdef' }), /not the .* of its name/],
    ] as const) {
      await writeFile(file, bad);
      await expect(readCalibration(dir, fp)).rejects.toThrow(msg);
    }
  });

  it("compare shows 'detectable here' from the host's calibration, and nothing without one", async () => {
    const cal = await aaRun('cmp-cal', 6, 0.01, 31, ['lxc'], INDEX_TESTS);
    await calibrateRun(cal.set, design, { resultsDir: root, runDir: cal.dir, seed: 1 });
    const a = await aaRun('cmp-a', 3, 0.01, 32, ['lxc'], INDEX_TESTS);
    const b = await aaRun('cmp-b', 3, 0.01, 33, ['lxc'], INDEX_TESTS);
    const r = await runCompare({ baseline: a.dir, candidate: b.dir, format: 'terminal', threshold: '2', confidence: '95', level: 'auto' });
    expect(r.output).toMatch(/detectable here/);
    const rows = r.comparison.pairs[0]!.rows.filter((x) => x.detectableHere);
    expect(rows.length).toBe(INDEX_TESTS.length + 1);
    for (const row of rows) expect(row.detectableHere!.repetitions).toBe(3);
    const none = await runCompare({ baseline: a.dir, candidate: b.dir, format: 'terminal', threshold: '2', confidence: '95', level: 'auto', calibration: join(root, 'nowhere') });
    expect(none.output).not.toMatch(/detectable here/);
  });

  it('adaptive repetitions say what the calibration makes detectable with max rounds, in the message and rounds.json', async () => {
    const cal = await aaRun('ad-cal', 6, 0.01, 41, ['old', 'new']);
    await calibrateRun(cal.set, design, { resultsDir: root, runDir: cal.dir, seed: 1 });
    const run = await aaRun('ad-run', 3, 0.01, 42, ['old', 'new']);
    const plan = parseSuite('repetitions: { min: 3, max: 6 }\ntargets:\n  - { name: old, method: lxc }\n  - { name: new, method: lxc }\n', '/tmp/vb-cal.yaml');
    const said: string[] = [];
    await adaptiveRounds({ runDir: run.dir, plan, adaptive: plan.adaptive!, startedAt: Date.now(), emit: (_h, _r, m) => said.push(m) })('local', 3);
    expect(said[0]).toMatch(/calibrated here: with 6 rounds the gate detects drops of \d+\.\d% to \d+\.\d%/);
    const rec = JSON.parse(await readFile(join(run.dir, ROUNDS_FILE), 'utf8'));
    expect(Object.keys(rec.calibration.detectableWithMax)).toHaveLength(4);
  });

  it('a kernel upgrade on a lab host: the calibration stored under the first kernel gives what the gate can detect', async () => {
    const OLD = '6.1.0-47-cloud-amd64';
    const NEW = '6.1.0-50-cloud-amd64';
    const underKernel = (release: string) => ({ kernelRelease: release, kernelVersion: `#1 SMP ${release}` });
    // virtbench calibrate on the lab host, booted into the old kernel: target 'bare', six A/A rounds.
    const calDir = await createRunDir(root, 'k-cal');
    const calRng = seededRng(51);
    const calResults = syntheticResults(calRng, { label: 'bare', method: 'host', medians: flatMedians(1000, TESTS), cv: 0.01, repetitions: 6, manifest: underKernel(OLD), hostManifest: underKernel(OLD) }, 'k-cal');
    for (const doc of calResults) await writeResult(calDir, doc);
    await calibrateRun({ source: calDir, name: 'k-cal', results: calResults }, design, { resultsDir: root, runDir: calDir, seed: 1 });

    // The upgrade run: 'bare' under both kernels, three rounds each.
    const runDir = await createRunDir(root, 'k-run');
    const rng = seededRng(52);
    for (const [release, position] of [[OLD, 0], [NEW, 1]] as const) {
      for (const doc of syntheticResults(rng, { label: 'bare', method: 'host', medians: flatMedians(1000, TESTS), cv: 0.01, repetitions: 3, manifest: underKernel(release), hostManifest: underKernel(release) }, 'k-run')) {
        await writeResult(runDir, { ...doc, id: `bare-${release}-r${doc.repetition}`, target: { ...doc.target, host: 'lab' }, hostKernel: { release, boot: 'grub-reboot', bootId: `b-${release}-${doc.repetition}`, position } });
      }
    }
    const plan = parseSuite(`hosts:
  lab: { address: 192.0.2.10, key: ~/.ssh/lab, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOaWuCa9CzeyHmMUVxaKq3Nm3C8GhCB1pP0Z8ebI0mFu" }
kernels: { host: lab, releases: [${OLD}, ${NEW}] }
repetitions: { min: 3, max: 6 }
targets:
  - { name: bare, method: host, host: lab }
`, '/tmp/vb-cal-k.yaml');
    const said: string[] = [];
    await adaptiveRounds({ runDir, plan, adaptive: plan.adaptive!, startedAt: Date.now(), emit: (_h, _r, m) => said.push(m) })('lab', 3);
    expect(said[0]).toMatch(/calibrated here: with 6 rounds the gate detects drops of \d+\.\d% to \d+\.\d%/);
    const rec = JSON.parse(await readFile(join(runDir, ROUNDS_FILE), 'utf8'));
    expect(rec.calibration.file).toBe(calibrationPath(root, hostFingerprint({ ...SYNTHETIC_MANIFEST, ...underKernel(OLD) })));
    const names = Object.keys(rec.calibration.detectableWithMax);
    expect(names.length).toBeGreaterThanOrEqual(TESTS.length);
    for (const n of names) expect(n.startsWith(`bare @ ${NEW}, 1 copy vs bare @ ${OLD}, 1 copy: `), n).toBe(true);
  });
});
