/**
 * Progress and log events. Everything slow reports through a ProgressSink so the runner can
 * show it on a terminal, as plain lines in CI, or as JSON events (--json).
 */
export type Step =
  | 'plan'
  | 'image'
  | 'provision'
  | 'connect'
  | 'prepare'
  | 'run'
  | 'collect'
  | 'destroy'
  | 'report';

export interface ProgressEvent {
  /** What the event is about: a target name, an image key, a host. */
  subject: string;
  step: Step;
  message: string;
  /** For UnixBench: the test running now, its pass, and how many tests are left. */
  test?: string;
  pass?: { index: number; total: number };
  /** 0..1 when known. */
  fraction?: number;
  elapsedSeconds?: number;
  remainingSeconds?: number;
  level?: 'info' | 'warn' | 'error' | 'debug';
}

export type ProgressSink = (event: ProgressEvent) => void;

export const silentProgress: ProgressSink = () => {};

/** A sink that prints one plain line per event on stderr (CI, tests with DEBUG). */
export const stderrProgress: ProgressSink = (e) => {
  if (e.level === 'debug' && !process.env.VIRTBENCH_DEBUG) return;
  process.stderr.write(`[${e.subject}] ${e.step}: ${e.message}\n`);
};
