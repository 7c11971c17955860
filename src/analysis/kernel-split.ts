/**
 * One run of a lab host under several kernels, split into a baseline and a candidate result set
 * for compare.
 */
import { InputError } from '../core/errors.js';
import type { ResultSet } from '../results/model.js';

/**
 * One run that measured a lab host under several kernels (a suite with `kernels:`), as two
 * result sets: the baseline kernel (the first in the suite, unless named) and the candidate
 * (the next one, unless named). Undefined when the set's results carry no host kernel or only one.
 */
export function splitByHostKernel(set: ResultSet, opts: { baseline?: string; candidate?: string } = {}): { baseline: ResultSet; candidate: ResultSet } | undefined {
  const withKernel = set.results.filter((r) => r.hostKernel);
  const releases = [...new Map(withKernel.map((r) => [r.hostKernel!.release, r.hostKernel!.position])).entries()]
    .sort((a, b) => (a[1] < 0 ? Infinity : a[1]) - (b[1] < 0 ? Infinity : b[1]) || a[0].localeCompare(b[0]))
    .map(([release]) => release);
  if (releases.length < 2 && opts.baseline === undefined && opts.candidate === undefined) return undefined;
  for (const [name, k] of [['baseline', opts.baseline], ['candidate', opts.candidate]] as const) {
    if (k !== undefined && !releases.includes(k)) {
      throw new InputError('COMPARE_KERNEL', `the run ${set.name} has no results under host kernel ${k} (it has: ${releases.join(', ') || 'none'})`, {
        location: { file: set.source, field: `${name}-kernel` },
        hint: 'name one of the kernels the run measured',
      });
    }
  }
  const base = opts.baseline ?? releases[0]!;
  const cand = opts.candidate ?? releases.find((r) => r !== base);
  if (cand === undefined || cand === base) {
    throw new InputError('COMPARE_KERNEL', `the run ${set.name} measured only host kernel ${base}: nothing to compare it with`, { location: { file: set.source }, hint: 'give two runs, or a run of a suite with two kernels' });
  }
  const part = (release: string): ResultSet => ({
    source: set.source,
    name: `${set.name} @ ${release}`,
    results: set.results.filter((r) => r.hostKernel?.release === release),
  });
  return { baseline: part(base), candidate: part(cand) };
}
