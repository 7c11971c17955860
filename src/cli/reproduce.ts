/**
 * `virtbench reproduce`: the 2011 claims (LXC above OpenVZ and KVM, per-test orderings) held
 * against a new run.
 */
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { checkClaims, type Reproduction } from '../analysis/claims.js';
import type { OutputFormat } from '../report/format-comparison.js';
import { renderReproduction } from '../report/format-claims.js';
import type { SampleLevel } from '../analysis/samples.js';
import { loadOne, parsePercent } from './compare.js';

export interface ReproduceArgs {
  run: string;
  reference: string;
  format: OutputFormat;
  confidence: string | number;
  level: SampleLevel | 'auto';
  copies?: number;
  colour?: boolean;
}

/** Where the shipped 2011 table lives (written by `virtbench import-reference`). */
export const DEFAULT_REFERENCE = 'results/reference/2011';

export async function runReproduce(args: ReproduceArgs): Promise<{ reproduction: Reproduction; output: string }> {
  const confidence = parsePercent(args.confidence, 'confidence', { min: 50, max: 100 });
  const run = await loadOne(args.run);
  const reference = await loadOne(args.reference);
  const reproduction = checkClaims(run, reference, { confidence, level: args.level, ...(args.copies !== undefined ? { copies: args.copies } : {}) });
  return { reproduction, output: renderReproduction(reproduction, args.format, args.colour ?? false) };
}

/** virtbench reproduce <run-dir>: the 2011 claims, held against a new run. Exit 0 unless the input is bad. */
export const reproduceCommand: CommandModule<{ debug: boolean }, ReproduceArgs> = {
  command: 'reproduce <run>',
  describe: 'hold a run against the 2011 claims (LXC 20%+ above OpenVZ, 33%+ above KVM, per-test orderings)',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run directory with lxc, openvz and/or kvm targets' })
      .option('reference', { type: 'string', default: DEFAULT_REFERENCE, describe: 'the published 2011 result set' })
      .option('format', { choices: ['terminal', 'md', 'json'] as const, default: 'terminal' as const })
      .option('confidence', { type: 'string', default: '95', describe: 'family-wise confidence, in percent' })
      .option('level', { choices: ['auto', 'repetitions', 'iterations'] as const, default: 'auto' as const })
      .option('copies', { type: 'number', describe: 'use the pass with this many copies (default: the most copies, as the 2011 table)' })
      .example('$0 reproduce results/<run-id> --format md', 'does 2011 still hold on this machine?') as never,
  handler: async (args) => {
    const colour = args.format === 'terminal' && !!process.stdout.isTTY && process.env.NO_COLOR === undefined;
    const { output } = await runReproduce({ ...args, reference: resolve(args.reference), colour });
    process.stdout.write(output);
    process.exitCode = 0;
  },
};
