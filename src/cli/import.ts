/**
 * `virtbench import pkb|phoronix`: another tool's UnixBench results as a result set that report
 * and compare read.
 */
import { relative } from 'node:path';
import type { CommandModule } from 'yargs';
import { importPhoronix } from '../results/import-phoronix.js';
import { importPkb, type ImportedPeerSet } from '../results/import-pkb.js';
import { writeImportedSet } from '../results/import-set.js';
import { describeCheck } from '../workloads/unixbench/published-checks.js';

interface ImportArgs {
  debug: boolean;
  format: 'pkb' | 'phoronix';
  file: string;
  out?: string;
}

const IMPORTERS = {
  pkb: importPkb,
  phoronix: importPhoronix,
} as const;

/** virtbench import pkb|phoronix <file>: another tool's UnixBench results as a result set that report and compare take. */
export const importCommand: CommandModule<{ debug: boolean }, ImportArgs> = {
  command: 'import <format> <file>',
  describe: "import another tool's UnixBench results (PerfKitBenchmarker samples, Phoronix Test Suite composite.xml) as a result set, with what they say about themselves checked",
  builder: (y) =>
    y
      .positional('format', { choices: ['pkb', 'phoronix'] as const, demandOption: true, describe: 'pkb: PerfKitBenchmarker JSON samples (--json_path); phoronix: a composite.xml of pts/unixbench' })
      .positional('file', { type: 'string', demandOption: true, describe: 'the file to import' })
      .option('out', { type: 'string', describe: 'result set folder to write (default results/imported/<name>)' })
      .example('$0 import pkb perfkitbenchmarker_results.json', 'PKB samples as results/imported/pkb-perfkitbenchmarker_results')
      .example('$0 import phoronix ~/.phoronix-test-suite/test-results/mytest/composite.xml --out results/imported/pts', 'a PTS result file') as never,
  handler: async (args) => {
    const imported: ImportedPeerSet = await IMPORTERS[args.format](args.file);
    const out = args.out ?? `results/imported/${imported.set.name}`;
    const written = await writeImportedSet(imported.set, imported.origin, out, `UnixBench results imported from ${imported.origin.tool} (${imported.origin.format})`);
    const o = imported.origin;
    process.stdout.write(`${o.tool}${o.toolVersion ? ` (${o.toolVersion})` : ''}, ${o.format}: ${args.file}\n`);
    for (const r of imported.set.results) {
      process.stdout.write(`${r.id}: ${r.unixbench?.passes.length ?? 0} passes, UnixBench ${r.workload.version}\n`);
      for (const c of r.unixbench?.checks ?? []) if (/Index Score/.test(c.what) || !c.ok) process.stdout.write(`  check: ${describeCheck(c)}\n`);
      for (const f of r.published?.findings ?? []) process.stdout.write(`  note: ${f}\n`);
    }
    process.stdout.write(`${imported.set.results.length} results in ${relative(process.cwd(), out) || out} (${written.length} written)\n`);
  },
};
