/** The whole run's estimate before it starts, from what is learned or the targets' priors. */
import { resultIdOf } from '../../suite/order.js';
import type { RunState } from '../run-state.js';
import type { RunnerWorkload } from '../workload-port.js';
import { targetPriorSeconds } from './estimate.js';

/** The whole run's estimate before it starts: the slowest host's queue of steps not yet done. */
export function estimateRunSeconds(s: RunState, workload: RunnerWorkload, learned?: ReadonlyMap<string, number>, tailSeconds = 0): number {
  let worst = 0;
  for (const steps of Object.values(s.schedule)) {
    let sum = 0;
    for (const st of steps) {
      if (s.steps[resultIdOf(st)]?.status === 'ok') continue;
      const known = learned?.get(st.target);
      if (known !== undefined) {
        sum += known;
        continue;
      }
      const t = s.plan.targets.find((x) => x.spec.name === st.target)!;
      sum += targetPriorSeconds(t, (cpus) => workload.estimateSeconds(cpus));
    }
    worst = Math.max(worst, sum);
  }
  return worst + (worst > 0 ? tailSeconds : 0);
}
