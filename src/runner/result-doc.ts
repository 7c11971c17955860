import { isVirtbenchError } from '../core/errors.js';
import { RESULT_SCHEMA_VERSION } from '../results/model.js';
import type { ProgressEvent } from '../core/log.js';

export const RESULT_SCHEMA_VERSION_FOR_RUNNER = RESULT_SCHEMA_VERSION;

/** An error as it is recorded in result.json and run.json: code, message, hint, and the step. */
export function describeError(e: unknown, phase: ProgressEvent['step']): { code: string; message: string; hint?: string } {
  if (isVirtbenchError(e)) return { code: e.code, message: `${phase}: ${e.message}`, ...(e.hint ? { hint: e.hint } : {}) };
  if (e instanceof Error) return { code: 'INTERNAL', message: `${phase}: ${e.message}`, hint: 'this is a bug in virtbench; the stack is in runner.log with --debug' };
  return { code: 'INTERNAL', message: `${phase}: ${String(e)}` };
}
