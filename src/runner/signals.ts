/**
 * Ctrl-C and SIGTERM abort the run through one AbortController: the step in progress stops,
 * its guest is destroyed, run.json says what is left. A second signal says cleanup is still
 * going on; a third leaves at once (exit 130) and names the command that removes leftovers.
 */
import { InterruptedError } from '../core/errors.js';
import type { EventSink } from './progress/events.js';

export function handleSignals(controller: AbortController, emit: EventSink, exit: (code: number) => void = (c) => process.exit(c)): () => void {
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      controller.abort(new InterruptedError(`interrupted by ${sig}`));
      emit({ type: 'warning', message: `${sig}: stopping; destroying what this run provisioned (press Ctrl-C twice more to leave at once)` });
    } else if (count === 2) {
      emit({ type: 'warning', message: 'still cleaning up; one more Ctrl-C leaves at once, and leftovers are then removed by: virtbench guests destroy' });
    } else {
      emit({ type: 'warning', message: 'leaving without cleanup: run `virtbench guests list` and `virtbench guests destroy`' });
      exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
