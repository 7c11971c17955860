/**
 * What `compare` refuses before it computes anything: inputs that would give a verdict about
 * something else than the change asked about. Exit 2 (InputError) unless a flag names the
 * difference: a damaged report (--accept-damaged), another UnixBench version
 * (--variable unixbench-version), a partial index set against a full one (--variable index-set),
 * and the same result counted twice (never accepted).
 */
import { InputError } from '../core/errors.js';
import type { ResultDoc, ResultSet } from '../results/model.js';
import { reportDamage } from '../workloads/unixbench/integrity.js';

export interface InputCheckOptions {
  variable?: string;
  acceptDamaged?: boolean;
  /** Only results of this target (label or name) count on that side. */
  baselineTarget?: string;
  candidateTarget?: string;
}

const usable = (r: ResultDoc) => r.status === 'ok' && !!r.unixbench;

function side(set: ResultSet, target: string | undefined): ResultDoc[] {
  return set.results.filter((r) => usable(r) && (target === undefined || r.target.label === target || r.target.name === target));
}

/** Versions a side was measured with, e.g. "5.1.3". */
function versions(results: ResultDoc[]): string[] {
  return [...new Set(results.map((r) => r.unixbench?.version ?? r.workload.version))].sort();
}

/** "full", or "partial: <tests>" for a subset run's index. */
function indexSets(results: ResultDoc[]): string[] {
  const out = new Set<string>();
  for (const r of results) {
    for (const p of r.unixbench!.passes) {
      if (p.empty || !p.index) continue;
      out.add(p.index.partial ? `partial (${p.index.rows.map((x) => x.name).sort().join(', ')})` : 'full');
    }
  }
  return [...out].sort();
}

export function checkCompareInputs(baseline: ResultSet, candidate: ResultSet, o: InputCheckOptions = {}): string[] {
  const warnings: string[] = [];
  for (const set of baseline === candidate ? [baseline] : [baseline, candidate]) {
    const seen = new Set<string>();
    for (const r of set.results) {
      const key = `${r.runId}/${r.id}`;
      if (seen.has(key)) {
        throw new InputError('COMPARE_DUPLICATE_RESULT', `${set.source}: result ${key} is there twice; one result is one sample, not two`, {
          hint: 'give each run once (a run directory and a copy of it count as the same results)',
          location: { file: set.source },
        });
      }
      seen.add(key);
    }
  }
  const b = side(baseline, o.baselineTarget);
  const c = side(candidate, o.candidateTarget);

  const damaged: string[] = [];
  for (const [set, results] of [[baseline, b], [candidate, c]] as const) {
    for (const r of results) {
      if (r.published) continue;
      for (const d of reportDamage(r.unixbench!)) damaged.push(`${set.name}/${r.id}: ${d.message}`);
    }
  }
  if (damaged.length && !o.acceptDamaged) {
    throw new InputError('COMPARE_DAMAGED_INPUT', `${damaged.length} figure(s) in the input do not add up (a report cut or edited):\n    ${damaged.slice(0, 8).join('\n    ')}${damaged.length > 8 ? `\n    ... and ${damaged.length - 8} more` : ''}`, {
      hint: 'use the complete report with its .log; or, knowing this, add --accept-damaged (the damage is then listed as a warning)',
    });
  }
  warnings.push(...damaged.map((d) => `DAMAGED INPUT (accepted): ${d}`));

  const vb = versions(b);
  const vc = versions(c);
  if (vb.length && vc.length && vb.join() !== vc.join() && o.variable !== 'unixbench-version' && o.variable !== 'unixbench') {
    throw new InputError('COMPARE_VERSIONS_DIFFER', `the baseline was measured with UnixBench ${vb.join(', ')} and the candidate with ${vc.join(', ')}: their scores are not the same measure`, {
      hint: 'compare results of one UnixBench version; or, if the version is what you compare, add --variable unixbench-version',
      location: { field: 'variable' },
    });
  }
  const ib = indexSets(b);
  const ic = indexSets(c);
  if (ib.length && ic.length && ib.join() !== ic.join() && o.variable !== 'index-set') {
    throw new InputError('COMPARE_INDEX_SETS_DIFFER', `the baseline's index is ${ib.join(' / ')} and the candidate's is ${ic.join(' / ')}: a partial Index Score is not comparable with another index set`, {
      hint: 'run the same tests on both sides; or, if the test set is what you compare, add --variable index-set',
      location: { field: 'variable' },
    });
  }
  return warnings;
}
