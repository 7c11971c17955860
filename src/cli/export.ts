/**
 * `virtbench export`: every number of some run directories or result sets as one CSV (a row per
 * result, pass and test) or one JSON document (the result documents themselves, which `report`,
 * `compare` and `history` read back).
 */
import type { CommandModule } from 'yargs';
import { atomicWriteFile } from '../core/fs.js';
import { exportCsv } from '../results/export-csv.js';
import { exportJson } from '../results/export-json.js';
import { loadResultSets } from '../results/load.js';
import type { ResultSet } from '../results/model.js';

interface ExportArgs {
  debug: boolean;
  input: string[];
  format: 'csv' | 'json';
  out?: string;
}

export const exportCommand: CommandModule<{ debug: boolean }, ExportArgs> = {
  command: 'export <input..>',
  describe: 'every result of run directories or result sets as one CSV or JSON file (JSON reads back into report, compare and history)',
  builder: (y) =>
    y
      .positional('input', { type: 'string', array: true, demandOption: true, describe: 'run directory, result set or folder of UnixBench output' })
      .option('format', { choices: ['csv', 'json'] as const, default: 'csv' as const, describe: 'csv: a row per result, pass and test; json: the result documents' })
      .option('out', { type: 'string', describe: 'file to write (default: standard output)' })
      .example('$0 export results/<run-id> --format json --out run.json', 'one file to archive or send, readable by report and compare') as never,
  handler: async (args) => {
    const sets: ResultSet[] = [];
    for (const input of args.input) sets.push(...(await loadResultSets(input)));
    const text = args.format === 'json' ? exportJson(sets) : exportCsv(sets);
    if (args.out) {
      await atomicWriteFile(args.out, text);
      process.stderr.write(`wrote ${sets.reduce((n, s) => n + s.results.length, 0)} results of ${sets.length} set(s) to ${args.out}\n`);
    } else {
      process.stdout.write(text);
    }
    process.exitCode = 0;
  },
};
