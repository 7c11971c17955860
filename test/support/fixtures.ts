import { fileURLToPath } from 'node:url';

/** Real UnixBench 5.1.3 output, a copy of ../shared/fixtures/unixbench shipped so tests run on a fresh clone. */
export const UNIXBENCH_FIXTURES = fileURLToPath(new URL('../fixtures/unixbench', import.meta.url));

export function unixbenchFixture(run: 'runA_i1_c1_subset' | 'runB_i1_c1_c2_index' | 'runC_q_c17_syscall' | 'runD_default_full'): string {
  return `${UNIXBENCH_FIXTURES}/${run}`;
}
