/**
 * `virtbench report`: tables, charts, a PDF and verdict pages from run directories, result sets or
 * folders of UnixBench output.
 */
import { relative } from 'node:path';
import type { CommandModule } from 'yargs';
import { loadResultSets } from '../results/load.js';
import { roundsNotes } from './adaptive-rounds.js';
import type { ResultSet } from '../results/model.js';
import { parseFormats, renderReport, REPORT_FORMATS } from '../report/render.js';

interface ReportArgs {
  debug: boolean;
  input: string[];
  out: string;
  baseline?: string;
  formats: string;
  intervals: boolean;
  verdicts: boolean;
}

/** virtbench report <input>... --out <dir>: tables, charts and a PDF from result sets. */
export const reportCommand: CommandModule<{ debug: boolean }, ReportArgs> = {
  command: 'report <input..>',
  describe: 'render tables (terminal, Markdown, HTML, CSV), charts (PNG, SVG) and a PDF from run directories, result sets or UnixBench output folders',
  builder: (y) =>
    y
      .positional('input', { type: 'string', array: true, demandOption: true, describe: 'run directory, result set (e.g. results/reference/2011) or folder of UnixBench output' })
      .option('out', { type: 'string', demandOption: true, describe: 'folder to write the report into (created if missing)' })
      .option('baseline', { type: 'string', describe: 'column the ratios are taken against: its number (1 = first) or label; default the first column' })
      .option('formats', { type: 'string', default: REPORT_FORMATS.join(','), describe: 'what to render' })
      .option('verdicts', { type: 'boolean', default: true, describe: 'a PDF verdict page for each measured column against the baseline (--no-verdicts: none)' })
      .option('intervals', { type: 'boolean', default: true, describe: 'show 95% intervals for repeated results (--no-intervals: min-max)' })
      .example('$0 report results/reference/2011 --out reports/2011', 'the 2011 comparison')
      .example('$0 report results/<run-id> results/reference/2011 --out reports/mine --baseline lxc', 'a run beside the 2011 table') as never,
  handler: async (args) => {
    const formats = parseFormats(args.formats);
    const sets: ResultSet[] = [];
    const notes: string[] = [];
    for (const input of args.input) {
      sets.push(...(await loadResultSets(input)));
      notes.push(...(await roundsNotes(input)));
    }
    const out = await renderReport(sets, {
      notes,
      outDir: args.out,
      formats,
      colour: !!process.stdout.isTTY,
      intervals: args.intervals,
      verdicts: args.verdicts,
      ...(args.baseline !== undefined ? { baseline: args.baseline } : {}),
    });
    if (out.terminal) process.stdout.write(out.terminal);
    const names = out.files.map((f) => relative(args.out, f));
    process.stderr.write(`\nwrote ${names.length} files to ${args.out}/: ${names.join(', ')}\n`);
    process.exitCode = 0;
  },
};
