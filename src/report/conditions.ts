/**
 * Under which conditions each column was measured: the published conditions of published data,
 * else the environment manifests (guest and host) and UnixBench's own system header.
 */
import type { EnvironmentManifest, ResultDoc } from '../results/model.js';
import type { ReportTable, ReportColumn } from './report-table.js';

export interface ColumnConditions {
  column: ReportColumn;
  items: [string, string][];
}

export function columnConditions(col: ReportColumn): ColumnConditions {
  const items: [string, string][] = [];
  const r = col.results[0];
  if (!r) return { column: col, items };
  if (col.published) {
    items.push(['Source', col.published.source]);
    for (const [k, v] of Object.entries(col.published.conditions)) items.push([k, v]);
  } else {
    items.push(['Method', col.emulated ? `${col.method} (emulated: TCG, no hardware virtualization)` : col.virtualized ? `${col.method} (itself virtualized: ${col.virtualized}; not bare metal)` : col.method]);
    items.push(['Target', `${r.target.name} on ${r.target.host}`]);
    items.push(...manifestItems('Guest', r.manifest));
    items.push(...manifestItems('Host', r.hostManifest));
    items.push(...guestFactItems(r));
    items.push(...unixbenchItems(r));
    items.push(['Repetitions', String(new Set(col.results.map((x) => x.id)).size)]);
    items.push(['Measured', dateRange(col.results)]);
  }
  items.push(['Result set', `${col.key.set} (${col.source})`]);
  return { column: col, items };
}

function manifestItems(who: string, m: EnvironmentManifest | undefined): [string, string][] {
  if (!m) return [];
  const out: [string, string][] = [
    [`${who} kernel`, m.kernelRelease],
    [`${who} CPU`, `${m.cpuModel}, ${m.cpusOnline} online`],
    [`${who} memory`, `${m.memoryMiB} MiB`],
    [`${who} OS`, m.os],
  ];
  if (m.virtualization) out.push([`${who} virtualization`, m.virtualization]);
  if (m.governor) out.push([`${who} governor`, m.governor]);
  if (m.compiler) out.push([`${who} compiler`, m.compiler]);
  if (m.unixbench) out.push(['UnixBench source', `${m.unixbench.version}, sha256 ${m.unixbench.sourceSha256.slice(0, 16)}...`]);
  return out;
}

/** What the guest's facts say that the conditions need: the KVM disk cache mode, and the old QEMU options that were dropped. */
function guestFactItems(r: ResultDoc): [string, string][] {
  const f = r.guestFacts ?? {};
  const out: [string, string][] = [];
  if (typeof f.diskCache === 'string') out.push(['Disk cache (QEMU -drive)', f.diskCache]);
  if (Array.isArray(f.droppedOptions)) for (const d of f.droppedOptions) if (typeof d === 'string') out.push(['Dropped QEMU option', d]);
  return out;
}

function unixbenchItems(r: ResultDoc): [string, string][] {
  const ub = r.unixbench;
  if (!ub) return [];
  const out: [string, string][] = [['UnixBench', `version ${ub.version}`]];
  if (!r.manifest) {
    const cpu = ub.system.cpus[0];
    out.push(['Kernel (UnixBench header)', `${ub.system.kernelRelease} ${ub.system.kernelVersion}`.trim()]);
    if (cpu) out.push(['CPU (UnixBench header)', `${cpu.model}, ${ub.system.cpus.length} CPUs`]);
    out.push(['Machine', `${ub.system.hostname}, ${ub.system.machine}`]);
  }
  const opts = r.workload.options;
  if (opts && Object.keys(opts).length) out.push(['Run options', JSON.stringify(opts)]);
  const runLine = ub.passes.find((p) => p.runLine)?.runLine;
  if (runLine) out.push(['UnixBench run', runLine.replace(/^Benchmark Run:\s*/, '')]);
  return out;
}

function dateRange(results: ResultDoc[]): string {
  const starts = results.map((r) => r.startedAt).filter(Boolean).sort();
  const ends = results.map((r) => r.finishedAt).filter(Boolean).sort();
  if (!starts.length) return 'unknown';
  return `${starts[0]} to ${ends[ends.length - 1] ?? '?'}`;
}

export function allConditions(cmp: ReportTable): ColumnConditions[] {
  return cmp.columns.map(columnConditions);
}

/** One line for a title page: what was compared. */
export function comparedLine(cmp: ReportTable): string {
  return cmp.columns.map((c) => c.displayLabel).join(' vs ');
}
