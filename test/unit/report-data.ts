import { unixbenchFixture } from '../support/fixtures.js';
import { loadResultSets } from '../../src/results/load.js';
import type { ResultDoc, ResultSet } from '../../src/results/model.js';

/** Real inputs for the report tests: the 2011 reference set and the shipped UnixBench fixtures. */
export const REFERENCE_2011 = 'results/reference/2011';
export const FIXTURE_RUNB = unixbenchFixture('runB_i1_c1_c2_index');

export async function reference2011(): Promise<ResultSet> {
  return (await loadResultSets(REFERENCE_2011))[0]!;
}

export async function fixtureRunB(): Promise<ResultSet> {
  return (await loadResultSets(FIXTURE_RUNB))[0]!;
}

/**
 * The fixture's real result relabelled as a KVM target that ran under TCG, repeated with every
 * index value scaled by the given factors: how the runner stores emulated repetitions.
 */
export function emulatedRepetitions(base: ResultDoc, factors: number[], label = 'kvm'): ResultDoc[] {
  return factors.map((f, i) => {
    const doc = structuredClone(base);
    doc.id = `${label}-r${i + 1}`;
    doc.repetition = i + 1;
    doc.target = { name: label, method: 'kvm', host: 'local' };
    doc.emulated = true;
    for (const pass of doc.unixbench!.passes) {
      if (!pass.index) continue;
      pass.index.rows = pass.index.rows.map((r) => ({ ...r, index: Math.round(r.index * f * 10) / 10 }));
      pass.index.score = Math.round(pass.index.score * f * 10) / 10;
    }
    return doc;
  });
}
