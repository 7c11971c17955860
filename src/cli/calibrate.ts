/**
 * virtbench calibrate <suite>: the suite's configuration against itself (A/A), N interleaved
 * rounds, then per column and test the run-to-run CV, the smallest drop the gate detects with
 * the suite's repetitions, and the false alarms it shows on pseudo A/B splits of the rounds
 * (analysis/calibration.ts). Stored under <results>/calibration/<host fingerprint>.json, where
 * compare and adaptive repetitions find it.
 */
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { calibrateColumn, DETECTABLE_METHOD, FALSE_ALARM_METHOD, type GateDesign } from '../analysis/calibration.js';
import { CALIBRATION_SCHEMA_VERSION, hostFingerprint, sharedHostManifest, toColumnEntry, writeCalibration, type CalibrationFile } from '../analysis/calibration-store.js';
import { groupsOf } from '../analysis/groups.js';
import { looks } from '../analysis/sequential.js';
import { InputError } from '../core/errors.js';
import { loadResultSets } from '../results/load.js';
import type { ResultSet } from '../results/model.js';
import { renderCalibrationJson, renderCalibrationText } from '../report/calibration.js';
import { loadSuite } from '../suite/load.js';
import type { RunPlan } from '../suite/plan.js';
import { parsePercent } from './compare.js';
import { runMain } from './run.js';

export interface CalibrateArgs {
  debug: boolean;
  suite: string;
  rounds: number;
  repetitions?: number;
  threshold: string | number;
  confidence: string | number;
  results: string;
  from?: string;
  format: 'terminal' | 'md' | 'json';
  unixbenchSource?: string;
  json: boolean;
  seed: number;
}

/** The gate the calibration speaks for: the suite's repetitions (an adaptive suite: its max, over its looks). */
export function gateDesign(plan: RunPlan, a: { repetitions?: number; threshold: number; confidence: number }): GateDesign {
  const repetitions = a.repetitions ?? Math.max(2, plan.adaptive ? plan.adaptive.max : plan.repetitions);
  return { repetitions, threshold: a.threshold, confidence: a.confidence, looks: plan.adaptive ? looks(plan.adaptive) : 1 };
}

/** Calibrate every column of an A/A run; one file per host fingerprint. */
export async function calibrateRun(set: ResultSet, design: GateDesign, o: { resultsDir: string; runDir: string; seed: number; now?: Date }): Promise<{ files: { path: string; calibration: CalibrationFile }[] }> {
  const groups = groupsOf(set).filter((g) => g.results.length > 0);
  if (groups.length === 0) throw new InputError('CALIBRATE_EMPTY', `no UnixBench result with an index table in ${set.source}`, { hint: 'the calibration rounds failed: see the run directory' });
  const byHost = new Map<string, { manifest: NonNullable<ReturnType<typeof sharedHostManifest>>; columns: CalibrationFile['columns'] }>();
  const calibratedAt = (o.now ?? new Date()).toISOString();
  for (const g of groups) {
    const manifest = sharedHostManifest(g.results);
    if (!manifest) throw new InputError('CALIBRATE_HOST', `the rounds of ${g.id} ran on hosts with different manifests (or none recorded): not one host to calibrate`, { location: { file: set.source } });
    const fp = hostFingerprint(manifest);
    const entry = byHost.get(fp) ?? { manifest, columns: [] };
    const c = calibrateColumn(g, { ...design, seed: o.seed });
    entry.columns.push(toColumnEntry(c, { workloadOptions: { ...g.results[0]!.workload.options }, workloadVersion: g.key.workloadVersion, runDir: o.runDir, calibratedAt }));
    byHost.set(fp, entry);
  }
  const files: { path: string; calibration: CalibrationFile }[] = [];
  for (const [fingerprint, { manifest, columns }] of byHost) {
    const calibration: CalibrationFile = {
      kind: 'virtbench-calibration',
      schemaVersion: CALIBRATION_SCHEMA_VERSION,
      fingerprint,
      hostManifest: manifest as unknown as CalibrationFile['hostManifest'],
      design: { repetitions: design.repetitions, confidence: design.confidence, threshold: design.threshold, power: 0.8, looks: design.looks ?? 1 },
      methods: { detectable: DETECTABLE_METHOD, falseAlarms: FALSE_ALARM_METHOD },
      columns,
    };
    files.push({ path: await writeCalibration(o.resultsDir, calibration), calibration });
  }
  return { files };
}

export async function runCalibrate(args: CalibrateArgs): Promise<{ exitCode: number; output: string }> {
  const threshold = parsePercent(args.threshold, 'threshold', { min: 0, max: 100 });
  const confidence = parsePercent(args.confidence, 'confidence', { min: 50, max: 100 });
  if (!(Number.isInteger(args.rounds) && args.rounds >= 3 && args.rounds <= 100)) {
    throw new InputError('CALIBRATE_OPTION', `--rounds must be a whole number from 3 to 100, got ${args.rounds}`, { hint: 'at least 5 for a usable CV; 2 x the repetitions for false-alarm pairs', location: { field: 'rounds' } });
  }
  if (args.repetitions !== undefined && !(Number.isInteger(args.repetitions) && args.repetitions >= 2)) {
    throw new InputError('CALIBRATE_OPTION', `--repetitions must be a whole number of at least 2, got ${args.repetitions}`, { location: { field: 'repetitions' } });
  }
  const suite = await loadSuite(args.suite);
  const design = gateDesign(suite, { repetitions: args.repetitions, threshold, confidence });
  let runDir = args.from;
  let exitCode = 0;
  if (runDir === undefined) {
    // The same configuration in every round: a fixed count of interleaved rounds, no adaptive stop.
    const plan: RunPlan = { ...suite, repetitions: args.rounds, adaptive: undefined };
    const run = await runMain({ debug: args.debug, suite: args.suite, unixbenchSource: args.unixbenchSource, dryRun: false, json: args.json, results: args.results, report: false, reports: 'reports', workload: 'unixbench', probeSeconds: 3 }, { plan });
    exitCode = run.exitCode;
    runDir = run.runDir;
    if (run.exitCode === 130) return { exitCode: run.exitCode, output: '' };
  }
  if (runDir === undefined) return { exitCode, output: '' };
  const sets = await loadResultSets(runDir);
  const set: ResultSet = { source: runDir, name: 'calibration', results: sets.flatMap((s) => s.results) };
  const { files } = await calibrateRun(set, design, { resultsDir: args.results, runDir: resolve(runDir), seed: args.seed });
  const output = files
    .map((f) => (args.format === 'json' ? renderCalibrationJson(f.calibration) : renderCalibrationText(f.calibration, args.format === 'md' ? 'md' : 'terminal') + `stored in ${f.path}\n`))
    .join('\n');
  return { exitCode, output };
}

export const calibrateCommand: CommandModule<{ debug: boolean }, CalibrateArgs> = {
  command: 'calibrate <suite>',
  describe: "measure the suite against itself (A/A) in interleaved rounds: per test the run-to-run CV, the smallest drop the gate detects, its false alarms here; stored for compare and adaptive repetitions",
  builder: (y) =>
    y
      .positional('suite', { type: 'string', demandOption: true, describe: 'suite file: its targets, workload and repetitions' })
      .option('rounds', { type: 'number', default: 6, describe: 'A/A rounds of every target (at least 5 for a CV; 2 x repetitions for false-alarm pairs)' })
      .option('repetitions', { type: 'number', describe: "repetitions a side the gate will use (default: the suite's; an adaptive suite: its max)" })
      .option('threshold', { type: 'string', default: '2', describe: 'the verdict threshold, in percent' })
      .option('confidence', { type: 'string', default: '95', describe: 'family-wise confidence, in percent' })
      .option('results', { type: 'string', default: 'results', describe: 'folder for the run directory and calibration/' })
      .option('from', { type: 'string', describe: 'calibrate from an existing A/A run directory of this suite instead of running it' })
      .option('format', { choices: ['terminal', 'md', 'json'] as const, default: 'terminal' as const })
      .option('unixbench-source', { type: 'string', describe: 'UnixBench 5.1.3 source (default: $VIRTBENCH_UNIXBENCH_SOURCE, then the cache)' })
      .option('json', { type: 'boolean', default: false, describe: 'progress as JSON events on stdout' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the simulations and of sampled splits' })
      .example('$0 calibrate suites/lxc-quick.yaml --rounds 6', 'what a 2-repetition gate can see on this host') as never,
  handler: async (args) => {
    const { exitCode, output } = await runCalibrate(args);
    process.stdout.write(output);
    process.exitCode = exitCode;
  },
};
