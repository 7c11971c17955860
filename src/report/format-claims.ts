/** `virtbench reproduce` output: terminal (coloured), Markdown, JSON. */
import type { ClaimStatus, Reproduction } from '../analysis/claims.js';
import type { OutputFormat } from './format-comparison.js';
import { markdownTable, paint, textTable, type Align } from './text-table.js';
import { intervalsClause } from './format.js';

const STATUS_COLOUR: Record<ClaimStatus, 'green' | 'red' | 'yellow' | 'grey'> = {
  holds: 'green',
  'does not hold': 'red',
  inconclusive: 'yellow',
  'cannot be checked here': 'grey',
};

export function reproductionNote(r: Reproduction): string {
  return (
    `${intervalsClause(r)}. Samples: ${r.level}. ` +
    'Gaps are taken against LXC, as the slides do: (LXC - X) / LXC. An emulated (TCG) KVM result never supports or refutes a KVM claim.'
  );
}

function columnsLine(r: Reproduction): string {
  const parts = Object.entries(r.columns).map(([role, c]) => `${role}: ${c!.id} (${c!.repetitions} run${c!.repetitions === 1 ? '' : 's'}${c!.emulated ? ', EMULATED' : ''})`);
  return parts.length ? parts.join('; ') : 'no LXC, OpenVZ or KVM column found';
}

const HEADER = ['claim', '2011', 'this run', 'status'];
const ALIGN: Align[] = ['left', 'left', 'left', 'left'];

function summary(r: Reproduction): string {
  const c = r.counts;
  return `${c.holds} hold, ${c['does not hold']} do not hold, ${c.inconclusive} inconclusive, ${c['cannot be checked here']} cannot be checked here`;
}

export function renderReproductionTerminal(r: Reproduction, colour: boolean): string {
  const out = [paint(`virtbench reproduce: ${r.run.name} against ${r.reference.name}`, 'bold', colour), `columns: ${columnsLine(r)}`, ''];
  const rows = r.claims.map((c) => [c.claim, c.said2011, c.measured || '-', paint(c.status, STATUS_COLOUR[c.status], colour)]);
  out.push(textTable(HEADER, rows, ALIGN), '');
  for (const c of r.claims) if (c.status !== 'holds') out.push(`${c.id}: ${c.status}: ${c.reason}`);
  out.push('', reproductionNote(r), paint(summary(r), 'bold', colour));
  return out.join('\n') + '\n';
}

export function renderReproductionMarkdown(r: Reproduction): string {
  const out = [`# The 2011 claims against ${r.run.name}`, '', `Run: \`${r.run.source}\`  `, `Reference: \`${r.reference.source}\``, '', `Columns: ${columnsLine(r)}.`, ''];
  out.push(markdownTable([...HEADER, 'why'], r.claims.map((c) => [c.claim, c.said2011, c.measured || '-', c.status === 'holds' ? c.status : `**${c.status}**`, c.reason]), [...ALIGN, 'left']), '');
  out.push(reproductionNote(r), '', `**${summary(r)}**`, '');
  return out.join('\n');
}

export function renderReproduction(r: Reproduction, format: OutputFormat, colour = false): string {
  if (format === 'json') return JSON.stringify({ ...r, note: reproductionNote(r) }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
  if (format === 'md') return renderReproductionMarkdown(r);
  return renderReproductionTerminal(r, colour);
}
