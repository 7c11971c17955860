import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import { adaptiveRounds, ROUNDS_FILE, roundsNotes } from '../../src/cli/adaptive-rounds.js';
import { renderReport } from '../../src/report/render.js';
import { loadResultSets } from '../../src/results/load.js';
import { withRoundOptions } from '../../src/cli/run.js';
import { seededRng } from '../../src/core/random.js';
import { writeResult } from '../../src/results/run-dir.js';
import { createRunDir, writeRunFile } from '../support/run-dir.js';
import { runCompare } from '../../src/cli/compare.js';
import { parseSuite, SuiteError } from '../../src/suite/load.js';
import { flatMedians, syntheticResults } from '../support/synthetic.js';

const TARGETS = 'targets:\n  - { name: old, method: host }\n  - { name: new, method: host }\n';

suite('adaptive repetitions: the suite and the command line', () => {
  it('accepts { min, max, until, budget } and keeps the plain number', () => {
    const p = parseSuite(`repetitions: { min: 3, max: 8, until: decided, budget: 1h30m }\n${TARGETS}`, '/tmp/vb-adaptive.yaml');
    expect(p.repetitions).toBe(3);
    expect(p.adaptive).toEqual({ min: 3, max: 8, until: 'decided', budgetMinutes: 90 });
    const plain = parseSuite(`repetitions: 5\n${TARGETS}`, '/tmp/vb-adaptive.yaml');
    expect([plain.repetitions, plain.adaptive]).toEqual([5, undefined]);
  });

  it('refuses a design that cannot work, naming the field', () => {
    for (const [text, msg] of [
      ['{ min: 1, max: 5 }', /min must be at least 2/],
      ['{ min: 4, max: 3 }', /max must be at least min/],
      ['{ max: 5, until: forever }', /until: decided is the one stopping rule/],
      ['{ max: 5, budget: soon }', /time budget such as "90m"/],
    ] as const) {
      let err: unknown;
      try {
        parseSuite(`repetitions: ${text}\n${TARGETS}`, '/tmp/vb-adaptive.yaml');
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(SuiteError);
      expect((err as SuiteError).issues.map((i) => `${i.field}: ${i.message}`).join('\n'), text).toMatch(msg);
    }
  });

  it('--min-rounds/--max-rounds/--budget make a plain suite adaptive', () => {
    const plain = parseSuite(`repetitions: 2\n${TARGETS}`, '/tmp/vb-adaptive.yaml');
    expect(withRoundOptions(plain, {})).toBe(plain);
    expect(withRoundOptions(plain, { maxRounds: 6, budget: '45m' }).adaptive).toEqual({ min: 3, max: 6, until: 'decided', budgetMinutes: 45 });
    expect(() => withRoundOptions(plain, { minRounds: 5, maxRounds: 4 })).toThrow(/max must be at least min/);
  });
});

suite('adaptive repetitions: the decision after each round (synthetic results in a real run directory)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vb-adaptive-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function runWith(name: string, newMedian: number, cv: number, rounds: number) {
    const dir = await createRunDir(root, name);
    const rng = seededRng(rounds * 7 + newMedian);
    for (const [label, m] of [['old', 1000], ['new', newMedian]] as const) {
      for (const doc of syntheticResults(rng, { label, medians: flatMedians(m), cv, repetitions: rounds }, name)) await writeResult(dir, doc);
    }
    const plan = parseSuite(`repetitions: { min: 3, max: 6 }\n${TARGETS}`, '/tmp/vb-adaptive.yaml');
    const said: string[] = [];
    const next = adaptiveRounds({ runDir: dir, plan, adaptive: plan.adaptive!, startedAt: Date.now(), emit: (_h, _r, m) => said.push(m) });
    return { dir, more: await next('local', rounds), said };
  }

  it('compare of an adaptive run uses the level its stopping rule used (alpha over every look)', async () => {
    const r = await runWith('for-compare', 950, 0.002, 3);
    const base = { baseline: r.dir, format: 'json' as const, threshold: '2', confidence: '95', level: 'auto' as const, baselineTarget: 'old', candidateTarget: 'new' };
    const before = (await runCompare(base)).comparison;
    expect(before.looks).toBeUndefined();
    const run = JSON.parse(await readFile(join(r.dir, 'run.json'), 'utf8'));
    await writeRunFile(r.dir, { ...run, kind: 'virtbench-run', plan: { adaptive: { min: 3, max: 6, until: 'decided' } } });
    const after = (await runCompare(base)).comparison;
    expect(after.looks).toBe(4);
    expect(after.perComparisonConfidence).toBeCloseTo(1 - 0.05 / (13 * 4), 12);
    expect((await runCompare({ ...base, format: 'md' })).output).toMatch(/over the 4 looks of the adaptive repetitions/);
  });

  it('stops as soon as a clear 5% drop is decided in every test', async () => {
    const r = await runWith('clear', 950, 0.002, 3);
    expect(r.more).toBe(false);
    expect(r.said).toEqual(['round 3: 0 of 13 tests undecided']);
    const rec = JSON.parse(await readFile(join(r.dir, ROUNDS_FILE), 'utf8'));
    expect(rec.hosts.local.stoppedBy).toBe('decided');
    expect(rec.method).toMatch(/union-bound confidence sequence/);
  });

  it('asks for another round while tests are undecided, and at max rounds says what would decide them', async () => {
    const r = await runWith('noisy', 970, 0.02, 3);
    expect(r.more).toBe(true);
    expect(r.said[0]).toMatch(/^round 3: 1[0-3] of 13 tests undecided; (about \d+ more rounds?|more than 100 rounds would be needed for some)$/);
    const last = await runWith('noisy-max', 970, 0.02, 6);
    expect(last.more).toBe(false);
    expect(last.said[0]).toMatch(/stopped by the maximum of 6 rounds\. Would probably decide: new, 1 copy vs old, 1 copy: Dhrystone 2 using register variables: (about \d+ rounds in all|more than 100 rounds)/);
    // The report says it too (from rounds.json), in every format that shows the notes.
    const notes = await roundsNotes(last.dir);
    expect(notes[0]).toMatch(/^adaptive repetitions on local stopped by the maximum of rounds after 6 rounds with 1[0-3] test\(s\) undecided; would probably decide them: new, 1 copy vs old, 1 copy: Dhrystone/);
    const report = await renderReport(await loadResultSets(last.dir), { outDir: join(root, 'report-noisy'), formats: ['terminal', 'md'], notes });
    expect(report.terminal).toContain('adaptive repetitions on local stopped by the maximum of rounds');
    expect(await roundsNotes(r.dir)).toEqual([]);
  });
});

suite('adaptive repetitions on a lab host with kernels: (synthetic results in a real run directory)', () => {
  const OLD = '6.1.0-47-cloud-amd64';
  const NEW = '6.1.0-50-cloud-amd64';
  const LAB = `name: upgrade
hosts:
  lab: { address: 192.0.2.10, key: ~/.ssh/lab, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOaWuCa9CzeyHmMUVxaKq3Nm3C8GhCB1pP0Z8ebI0mFu" }
kernels: { host: lab, releases: [${OLD}, ${NEW}] }
repetitions: { min: 3, max: 6 }
targets:
  - { name: bare, method: host, host: lab }
`;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vb-adaptive-k-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A run of the one target `bare` under both kernels (3 rounds each), then the decision after round 3. */
  async function decideAfterRound3(name: string, seed: number, cv: number, columns: readonly (readonly [release: string, median: number, position: number, emulated: boolean])[]) {
    const dir = await createRunDir(root, name);
    const rng = seededRng(seed);
    for (const [release, median, position, emulated] of columns) {
      for (const doc of syntheticResults(rng, { label: 'bare', medians: flatMedians(median), cv, repetitions: 3, emulated }, name)) {
        await writeResult(dir, { ...doc, id: `bare-${release}-r${doc.repetition}`, target: { ...doc.target, host: 'lab' }, hostKernel: { release, boot: 'grub-reboot', bootId: `boot-${release}-${doc.repetition}`, position } });
      }
    }
    const plan = parseSuite(LAB, '/tmp/vb-adaptive-k.yaml');
    const said: string[] = [];
    const next = adaptiveRounds({ runDir: dir, plan, adaptive: plan.adaptive!, startedAt: Date.now(), emit: (_h, _r, m) => said.push(m) });
    return { dir, more: await next('lab', 3), said };
  }

  it('judges the one target under the new kernel against the same target under the first kernel, and stops once decided', async () => {
    const r = await decideAfterRound3('kernels', 971, 0.002, [[OLD, 1000, 0, false], [NEW, 950, 1, false]]);
    expect(r.more).toBe(false);
    expect(r.said).toEqual(['round 3: 0 of 13 tests undecided']);
    const rec = JSON.parse(await readFile(join(r.dir, ROUNDS_FILE), 'utf8'));
    expect(rec.hosts.lab.stoppedBy).toBe('decided');
    expect(rec.hosts.lab.ratios[0].name).toBe(`bare @ ${NEW}, 1 copy vs bare @ ${OLD}, 1 copy: Dhrystone 2 using register variables`);
  });

  it('asks for another round while the kernels are not told apart yet', async () => {
    const r = await decideAfterRound3('kernels-noisy', 50, 0.02, [[OLD, 1000, 0, false], [NEW, 985, 1, false]]);
    expect(r.more).toBe(true);
    expect(r.said[0]).toMatch(/^round 3: 1[0-3] of 13 tests undecided/);
  });

  it('never judges an emulated (TCG fallback) column under one kernel against a KVM column under the other', async () => {
    const r = await decideAfterRound3('kernels-emulated', 971, 0.002, [[OLD, 1000, 0, false], [NEW, 100, 1, true]]);
    expect(r.more).toBe(false);
    expect(r.said).toEqual(['nothing to compare on this host (one target, or no two columns alike in copies, emulation and workload): no more rounds']);
  });
});
