/**
 * `virtbench import-reference`: the 2011 published table as a result set, each Index Score checked
 * against its index values.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { describeReferenceChecks, importReference, writeReferenceSet } from '../results/import-reference.js';

interface ImportReferenceArgs {
  debug: boolean;
  out: string;
  csv?: string;
  conditions?: string;
}

/** The folder holding package.json: the shipped reference table lives there, wherever the CLI runs from. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** virtbench import-reference: the 2011 published table as a result set, with its Index Scores checked. */
export const importReferenceCommand: CommandModule<{ debug: boolean }, ImportReferenceArgs> = {
  command: 'import-reference',
  describe: 'import the 2011 published UnixBench table as a result set and check each Index Score against its index values',
  builder: (y) =>
    y
      .option('out', { type: 'string', default: 'results/reference/2011', describe: 'result set folder to write' })
      .option('csv', { type: 'string', describe: 'the table (default: the shipped results/reference/2011/joes-2011-unixbench.csv)' })
      .option('conditions', { type: 'string', describe: 'its conditions (default: the shipped results/reference/2011/conditions.yaml)' })
      .example('$0 import-reference', 'rebuild results/reference/2011 from the shipped table') as never,
  handler: async (args) => {
    const shipped = join(packageRoot(), 'results', 'reference', '2011');
    const csv = resolve(args.csv ?? join(shipped, 'joes-2011-unixbench.csv'));
    const conditions = resolve(args.conditions ?? join(shipped, 'conditions.yaml'));
    const imported = await importReference(csv, conditions);
    const written = await writeReferenceSet(imported, args.out, { csv, conditions });
    process.stdout.write(`Index Score check (geometric mean of the 12 index values vs the published score):\n`);
    for (const line of describeReferenceChecks(imported.checks)) process.stdout.write(`  ${line}\n`);
    process.stdout.write(`${imported.set.results.length} published results in ${args.out} (${written.length} written, ${imported.set.results.length - written.length} unchanged)\n`);
  },
};
