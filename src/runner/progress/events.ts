/**
 * What the runner tells the user, as data. The renderers (live TTY line, plain lines, JSON
 * lines) turn these into text; nothing else in the runner prints.
 */
import type { ProgressEvent } from '../../core/progress.js';

export interface PlannedStepInfo {
  resultId: string;
  host: string;
  target: string;
  method: string;
  repetition: number;
  /** Already done in an earlier attempt (resume). */
  done: boolean;
}

export type RunnerEvent =
  | {
      type: 'plan';
      runId: string;
      runDir: string;
      suite: string;
      order: string;
      seed: number;
      repetitions: number;
      targets: string[];
      hosts: string[];
      steps: PlannedStepInfo[];
      resumed: boolean;
      estimatedSeconds: number;
      /** What the estimate rests on: durations measured by earlier runs here, or a first guess. */
      estimateBasis?: string;
    }
  | { type: 'step'; resultId: string; host: string; target: string; step: ProgressEvent['step']; message: string }
  | { type: 'progress'; resultId?: string; host: string; event: ProgressEvent }
  | {
      type: 'result';
      resultId: string;
      host: string;
      target: string;
      status: 'ok' | 'failed';
      seconds: number;
      workloadSeconds?: number;
      score?: number;
      scoreLabel?: string;
      emulated?: boolean;
      error?: { code: string; message: string; hint?: string };
    }
  | { type: 'status'; elapsedSeconds: number; remainingSeconds?: number; estimateBasis?: 'measured' | 'learned' | 'first guess'; done: number; failed: number; total: number }
  | { type: 'warning'; message: string; host?: string }
  /** Adaptive repetitions: where the compared ratios stand after a round, and whether another is added. */
  | { type: 'rounds'; host: string; round: number; message: string; more: boolean }
  | { type: 'cleanup'; message: string; host?: string }
  | {
      type: 'finished';
      outcome: 'ok' | 'failed' | 'interrupted';
      runDir: string;
      ok: number;
      failed: number;
      missing: number;
      elapsedSeconds: number;
      report?: { dir: string; files: string[] };
    };

export type EventSink = (event: RunnerEvent & { at?: string }) => void;
