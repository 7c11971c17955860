/**
 * The parts of a result document the runner fills for every step: identity, target, and a failure
 * as it is recorded.
 */
import type { Method } from '../core/targets.js';
import { isVirtbenchError } from '../core/errors.js';
import { RESULT_SCHEMA_VERSION } from '../results/model.js';
import type { ProgressEvent } from '../core/progress.js';

export const RESULT_SCHEMA_VERSION_FOR_RUNNER = RESULT_SCHEMA_VERSION;

/** An error as it is recorded in result.json and run.json: code, message, hint, and the step. */
export function describeError(e: unknown, phase: ProgressEvent['step']): { code: string; message: string; hint?: string } {
  if (isVirtbenchError(e)) return { code: e.code, message: `${phase}: ${e.message}`, ...(e.hint ? { hint: e.hint } : {}) };
  if (e instanceof Error) return { code: 'INTERNAL', message: `${phase}: ${e.message}`, hint: 'this is a bug in virtbench; the stack is in runner.log with --debug' };
  return { code: 'INTERNAL', message: `${phase}: ${String(e)}` };
}

/** Who and what a result is about: the fields every result document of a step starts with. */
export function resultIdentity(
  runId: string,
  resultId: string,
  step: { host: string; repetition: number },
  target: { spec: { name: string; method: Method }; label?: string },
  workload: { name: string; version: string; options: Record<string, unknown> },
) {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION_FOR_RUNNER,
    id: resultId,
    runId,
    target: { name: target.spec.name, method: target.spec.method, host: step.host, label: target.label },
    workload: { name: workload.name, version: workload.version, options: workload.options },
    repetition: step.repetition,
  };
}
