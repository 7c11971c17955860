/**
 * `virtbench compare`: two result sets test by test, the change with its interval and a verdict;
 * exit 1 when something regressed.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { calibrationPath, hostFingerprint, readCalibration, sharedHostManifest } from '../analysis/calibration-store.js';
import { applyCalibration } from '../analysis/detectable-here.js';
import { groupsOf } from '../analysis/groups.js';
import { readRunJson } from '../results/run-dir.js';
import { looks } from '../analysis/sequential.js';
import type { CommandModule } from 'yargs';
import { compareResultSets, type ColumnSelector, type Comparison } from '../analysis/compare.js';
import { renderComparison, type OutputFormat } from '../report/format-comparison.js';
import { splitByHostKernel } from '../analysis/kernel-split.js';
import { knownVariables } from '../analysis/manifest-diff.js';
import { checkCompareInputs } from '../analysis/input-checks.js';
import type { SampleLevel } from '../analysis/samples.js';
import { InputError } from '../core/errors.js';
import { loadResultSets } from '../results/load.js';
import type { ResultSet } from '../results/model.js';
import { renderPdf } from '../report/pdf.js';
import { verdictSection } from '../report/verdict-section.js';
import { atomicWriteFile } from '../core/fs.js';

export interface CompareArgs {
  baseline: string;
  /** Default: the baseline input (two targets of one run). */
  candidate?: string;
  /** Also write a PDF verdict page here. */
  pdf?: string;
  format: OutputFormat;
  threshold: string | number;
  confidence: string | number;
  variable?: string;
  acceptDrift?: string[];
  level: SampleLevel | 'auto';
  target?: string;
  copies?: number;
  baselineTarget?: string;
  baselineCopies?: number;
  candidateTarget?: string;
  candidateCopies?: number;
  baselineKernel?: string;
  candidateKernel?: string;
  colour?: boolean;
  /** Compare even though some report does not add up (listed as warnings). */
  acceptDamaged?: boolean;
  /** Folder holding calibration/ (default: the folder the baseline run directory is in). */
  calibration?: string;
}

/** The host's calibration, when one was stored for the baseline's host: fills the "detectable here" column. */
async function useCalibration(c: Comparison, baseline: ResultSet, candidate: ResultSet, args: Pick<CompareArgs, 'baseline' | 'calibration'>): Promise<void> {
  const manifest = sharedHostManifest(baseline.results);
  if (!manifest) return;
  const dir = args.calibration ?? dirname(resolve(args.baseline));
  const fingerprint = hostFingerprint(manifest);
  const cal = await readCalibration(dir, fingerprint);
  if (!cal) return;
  const columns = (set: ResultSet) => new Map(groupsOf(set).map((g) => [g.id, { label: g.key.label, copies: g.key.copies, workloadOptions: { ...g.results[0]!.workload.options } }]));
  applyCalibration(c, cal, calibrationPath(dir, fingerprint), columns(baseline), columns(candidate));
}

/** "2", "2%" -> 0.02. The threshold is a percent; 0 is allowed (any significant change counts). */
export function parsePercent(value: string | number, option: string, { min, max }: { min: number; max: number }): number {
  const text = String(value).trim().replace(/%$/, '');
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || n < min || n >= max) {
    throw new InputError('COMPARE_OPTION', `--${option} ${JSON.stringify(String(value))} is not a percent in [${min}, ${max})`, {
      hint: option === 'threshold' ? 'e.g. --threshold 2 (2%)' : 'e.g. --confidence 95 (95%)',
      location: { field: option },
    });
  }
  return n / 100;
}

/** A run directory made with adaptive repetitions: the looks its stopping rule spread alpha over (else 1). */
async function adaptiveLooks(input: string): Promise<number> {
  let state: { kind?: unknown; plan?: { adaptive?: { min?: unknown; max?: unknown } } };
  try {
    state = (await readRunJson(input)) as typeof state;
  } catch {
    return 1; // not a run directory (a result set, a folder of reports): loadOne says what it is
  }
  const a = state.kind === 'virtbench-run' ? state.plan?.adaptive : undefined;
  if (a === undefined) return 1;
  const { min, max } = a;
  if (!(Number.isInteger(min) && Number.isInteger(max) && (min as number) >= 2 && (max as number) >= (min as number))) {
    throw new InputError('RUN_DIR_INVALID', `run.json's plan.adaptive is damaged (min ${String(min)}, max ${String(max)})`, { location: { file: join(input, 'run.json'), field: 'plan.adaptive' }, hint: 'the file was edited by hand' });
  }
  return looks({ min: min as number, max: max as number });
}

/** One input may hold several sets (a folder of runs): compare them as one. */
export async function loadOne(input: string): Promise<ResultSet> {
  const sets = await loadResultSets(input);
  if (sets.length === 1) return sets[0]!;
  return { source: input, name: basename(input), results: sets.flatMap((s) => s.results) };
}

function selector(target: string | undefined, copies: number | undefined): ColumnSelector | undefined {
  if (target === undefined && copies === undefined) return undefined;
  if (copies !== undefined && !(Number.isInteger(copies) && copies > 0)) {
    throw new InputError('COMPARE_OPTION', `copies must be a whole number above 0, got ${copies}`, { location: { field: 'copies' } });
  }
  return { ...(target !== undefined ? { target } : {}), ...(copies !== undefined ? { copies } : {}) };
}

export async function runCompare(args: CompareArgs): Promise<{ comparison: Comparison; output: string; exitCode: 0 | 1 }> {
  const threshold = parsePercent(args.threshold, 'threshold', { min: 0, max: 100 });
  const confidence = parsePercent(args.confidence, 'confidence', { min: 50, max: 100 });
  if (args.variable !== undefined && !knownVariables().includes(args.variable)) {
    throw new InputError('COMPARE_OPTION', `--variable ${args.variable} is not known`, { hint: `one of: ${knownVariables().join(', ')}`, location: { field: 'variable' } });
  }
  for (const f of args.acceptDrift ?? []) {
    if (!knownVariables().includes(f)) throw new InputError('COMPARE_OPTION', `--accept-drift ${f} is not a known manifest field`, { hint: `one of: ${knownVariables().join(', ')}`, location: { field: 'accept-drift' } });
  }
  let baseline = await loadOne(args.baseline);
  let candidate = args.candidate === undefined || args.candidate === args.baseline ? baseline : await loadOne(args.candidate);
  // One run of a suite with host kernels: its rounds split by kernel, baseline against candidate.
  const kernelsAsked = args.baselineKernel !== undefined || args.candidateKernel !== undefined;
  if (candidate === baseline && (args.variable === 'kernel' || kernelsAsked) && args.baselineTarget === undefined && args.candidateTarget === undefined) {
    const split = splitByHostKernel(baseline, { baseline: args.baselineKernel, candidate: args.candidateKernel });
    if (split) ({ baseline, candidate } = split);
  }
  const looks = Math.max(await adaptiveLooks(args.baseline), args.candidate ? await adaptiveLooks(args.candidate) : 1);
  const inputWarnings = checkCompareInputs(baseline, candidate, {
    variable: args.variable,
    acceptDamaged: args.acceptDamaged,
    baselineTarget: args.baselineTarget ?? args.target,
    candidateTarget: args.candidateTarget ?? args.target,
  });
  const comparison = compareResultSets(baseline, candidate, {
    looks,
    threshold,
    confidence,
    level: args.level,
    variable: args.variable,
    acceptDrift: args.acceptDrift ?? [],
    baselineColumn: selector(args.baselineTarget ?? args.target, args.baselineCopies ?? args.copies),
    candidateColumn: selector(args.candidateTarget ?? args.target, args.candidateCopies ?? args.copies),
  });
  comparison.warnings.unshift(...inputWarnings);
  await useCalibration(comparison, baseline, candidate, args);
  return { comparison, output: renderComparison(comparison, args.format, args.colour ?? false), exitCode: comparison.regressed ? 1 : 0 };
}

/** virtbench compare <baseline> <candidate>: exit 0 nothing regressed, 1 something did, 2 bad input. */
export const compareCommand: CommandModule<{ debug: boolean }, CompareArgs> = {
  command: 'compare <baseline> [candidate]',
  describe: 'compare two result sets test by test: change with its interval and a verdict (exit 1 if anything regressed)',
  builder: (y) =>
    y
      .positional('baseline', { type: 'string', demandOption: true, describe: 'run directory, result set or folder of UnixBench output' })
      .positional('candidate', { type: 'string', describe: 'the same kinds of input, measured after the change (default: the baseline input, with --baseline-target/--candidate-target)' })
      .option('format', { choices: ['terminal', 'md', 'json'] as const, default: 'terminal' as const, describe: 'output format' })
      .option('threshold', { type: 'string', default: '2', describe: 'smallest change that counts, in percent' })
      .option('confidence', { type: 'string', default: '95', describe: 'family-wise confidence, in percent' })
      .option('variable', { type: 'string', describe: 'what the two sets differ in (kernel, compiler, governor, unixbench-version, index-set, ...): other manifest differences warn' })
      .option('accept-drift', { type: 'string', array: true, describe: 'a manifest field (or variable name) whose difference cannot move the result here: its verdicts stand' })
      .option('accept-damaged', { type: 'boolean', default: false, describe: 'compare even when a report does not add up (recomputed scores differ from the printed ones, an index row or a pass missing); listed as warnings' })
      .option('level', { choices: ['auto', 'repetitions', 'iterations'] as const, default: 'auto' as const, describe: "samples: repetitions, UnixBench's .log iterations, or auto" })
      .option('pdf', { type: 'string', describe: 'also write the verdict as a PDF page to this file' })
      .option('calibration', { type: 'string', describe: "folder holding calibration/ from virtbench calibrate (default: the baseline run directory's folder): adds a 'detectable here' column" })
      .option('target', { type: 'string', describe: 'compare only this column (target label or name) on both sides' })
      .option('copies', { type: 'number', describe: 'compare only the pass with this many copies on both sides' })
      .option('baseline-target', { type: 'string', describe: 'column of the baseline (overrides --target)' })
      .option('baseline-copies', { type: 'number', describe: 'copies of the baseline column (overrides --copies)' })
      .option('candidate-target', { type: 'string', describe: 'column of the candidate (overrides --target)' })
      .option('candidate-copies', { type: 'number', describe: 'copies of the candidate column (overrides --copies)' })
      .option('baseline-kernel', { type: 'string', describe: 'one run over several host kernels: the baseline kernel (default: the first in the suite)' })
      .option('candidate-kernel', { type: 'string', describe: 'one run over several host kernels: the candidate kernel (default: the next one)' })
      .example('$0 compare results/<run-id> --variable kernel', 'a run of a suite with kernels: (host kernels on a lab host): the verdict')
      .example('$0 compare results/run-old results/run-new --variable kernel --format md', 'gate a kernel upgrade')
      .example('$0 compare results/<run-id> --baseline-target kernel-old --candidate-target kernel-new --variable kernel', 'two targets of one run')
      .example('$0 compare runD --baseline-copies 1 --candidate-copies 2', "a run's 1-copy against its 2-copy pass") as never,
  handler: async (args) => {
    const colour = args.format === 'terminal' && !!process.stdout.isTTY && process.env.NO_COLOR === undefined;
    const { output, exitCode, comparison } = await runCompare({ ...args, colour });
    process.stdout.write(output);
    if (args.pdf) await writeVerdictPdf(comparison, args.pdf);
    process.exitCode = exitCode;
  },
};

export async function writeVerdictPdf(c: Comparison, file: string): Promise<void> {
  const title = `Verdict: ${c.baseline.name} -> ${c.candidate.name}`;
  const pdf = await renderPdf({
    title,
    footer: `virtbench compare ${c.baseline.name} ${c.candidate.name}`,
    titlePage: [{ text: title, style: 'title' }, { text: `Baseline ${c.baseline.source}; candidate ${c.candidate.source}.`, style: 'subtitle' }],
    sections: [{ ...verdictSection(c), pageBreakBefore: false }],
  });
  await atomicWriteFile(file, pdf);
}
