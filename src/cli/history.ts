/**
 * `virtbench history`: many runs per test as a series, with change points; exit 1 when the newest
 * run comes after a change for the worse.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { buildHistory, orderFields, type History } from '../analysis/history.js';
import { InputError } from '../core/errors.js';
import { atomicWriteFile } from '../core/fs.js';
import { loadResultSets } from '../results/load.js';
import type { ResultSet } from '../results/model.js';
import { historyChartFiles, renderHistoryJson, renderHistoryPdf, renderHistoryText } from '../report/history.js';

export interface HistoryArgs {
  inputs: string[];
  orderBy: string;
  format: 'terminal' | 'md' | 'json';
  charts?: string;
  pdf?: string;
  seed: number;
  permutations: number;
  alpha: number;
}

/** A run directory, or a results folder: every run directory in it. */
async function loadRuns(input: string): Promise<ResultSet[]> {
  const runs: string[] = [];
  try {
    for (const e of await readdir(input, { withFileTypes: true })) {
      if (e.isDirectory() && (await stat(join(input, e.name, 'run.json')).catch(() => undefined))) runs.push(join(input, e.name));
    }
  } catch {
    // not a folder: loadResultSets says what it is
  }
  const own = await stat(join(input, 'run.json')).catch(() => undefined);
  if (own || runs.length === 0) return loadResultSets(input);
  const sets: ResultSet[] = [];
  for (const r of runs.sort()) sets.push(...(await loadResultSets(r)));
  return sets;
}

export async function runHistory(args: HistoryArgs): Promise<{ history: History; output: string; exitCode: 0 | 1 }> {
  if (!orderFields().includes(args.orderBy)) {
    throw new InputError('HISTORY_OPTION', `--order-by ${args.orderBy} is not known`, { hint: `one of: ${orderFields().join(', ')}`, location: { field: 'order-by' } });
  }
  if (!(Number.isInteger(args.permutations) && args.permutations >= 19)) throw new InputError('HISTORY_OPTION', `--permutations must be a whole number of at least 19, got ${args.permutations}`, { location: { field: 'permutations' } });
  if (!(args.alpha > 0 && args.alpha < 1)) throw new InputError('HISTORY_OPTION', `--alpha must be between 0 and 1, got ${args.alpha}`, { location: { field: 'alpha' } });
  const sets: ResultSet[] = [];
  for (const input of args.inputs) sets.push(...(await loadRuns(input)));
  const history = buildHistory(sets, { orderBy: args.orderBy, changePoints: { seed: args.seed, permutations: args.permutations, alpha: args.alpha } });
  if (history.series.length === 0) {
    throw new InputError('HISTORY_EMPTY', 'no UnixBench result with an index table (and the ordering field) in the inputs', { hint: 'give run directories or a results folder; with --order-by <field>, the results must record it' });
  }
  const output = args.format === 'json' ? renderHistoryJson(history) : renderHistoryText(history, args.format);
  return { history, output, exitCode: history.worseNow ? 1 : 0 };
}

/** virtbench history <run-dirs | results folder>: series per test, change points; exit 1 if the newest run is after a change for the worse. */
export const historyCommand: CommandModule<{ debug: boolean }, HistoryArgs> = {
  command: 'history <inputs..>',
  describe: 'series of many runs per test, with change points (E-divisive means); exit 1 when the newest run is after a change for the worse',
  builder: (y) =>
    y
      .positional('inputs', { type: 'string', array: true, demandOption: true, describe: 'run directories, or a results folder holding them' })
      .option('order-by', { type: 'string', default: 'time', describe: 'time, or a manifest field (host side; guest.<field> for the guest), e.g. kernelRelease' })
      .option('format', { choices: ['terminal', 'md', 'json'] as const, default: 'terminal' as const })
      .option('charts', { type: 'string', describe: 'write a PNG and an SVG chart per series into this folder' })
      .option('pdf', { type: 'string', describe: 'write a PDF with a page per series' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the permutation test' })
      .option('permutations', { type: 'number', default: 199 })
      .option('alpha', { type: 'number', default: 0.05, describe: 'significance level of each change point' })
      .example('$0 history results/ --order-by kernelRelease', 'a kernel series on one host') as never,
  handler: async (args) => {
    const { output, exitCode, history } = await runHistory(args);
    process.stdout.write(output);
    if (args.charts) {
      await mkdir(args.charts, { recursive: true });
      for (const f of historyChartFiles(history)) await atomicWriteFile(join(args.charts, f.name), f.data);
    }
    if (args.pdf) await atomicWriteFile(args.pdf, await renderHistoryPdf(history));
    process.exitCode = exitCode;
  },
};
