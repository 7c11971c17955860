/**
 * How runner events reach the user: JSON lines (--json), plain lines for logs and pipes, or a live
 * status line on a terminal.
 */
import type { EventSink, RunnerEvent } from './events.js';
import { formatDuration } from './estimate.js';
import { eventLine } from './text.js';

type Write = (text: string) => void;

/** --json: one JSON object per line, each with a timestamp, for machines. */
export function jsonRenderer(write: Write): EventSink {
  return (e) => write(JSON.stringify({ at: new Date().toISOString(), ...e }) + '\n');
}

/**
 * Not a terminal (CI, a pipe): plain lines. UnixBench progress is printed when the test changes,
 * not on every tick, and a status line at most once a minute, so a log stays readable.
 */
export function plainRenderer(write: Write, opts: { debug?: boolean } = {}): EventSink {
  const lastTest = new Map<string, string>();
  let lastStatus = 0;
  return (e) => {
    if (e.type === 'progress' && e.event.step === 'run' && e.event.test) {
      const key = `${e.host}/${e.resultId}`;
      const mark = `${e.event.test}/${e.event.pass?.index ?? ''}`;
      if (lastTest.get(key) === mark) return;
      lastTest.set(key, mark);
    }
    if (e.type === 'status') {
      if (Date.now() - lastStatus < 60_000) return;
      lastStatus = Date.now();
    }
    const line = eventLine(e, opts.debug);
    if (line !== undefined) write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  };
}

/**
 * A terminal: permanent lines for what happened, and one live line at the bottom, redrawn in
 * place, with every host's current guest, step, UnixBench test and pass, elapsed and remaining.
 */
export function ttyRenderer(write: Write, opts: { columns?: () => number; debug?: boolean } = {}): EventSink & { stop(): void } {
  const current = new Map<string, string>();
  let status: Extract<RunnerEvent, { type: 'status' }> | undefined;
  let live = '';
  const columns = () => opts.columns?.() ?? 100;
  const redraw = () => {
    const parts = [...current.entries()].map(([host, what]) => (current.size > 1 ? `${host}: ${what}` : what));
    const clock = status ? `${status.done + status.failed}/${status.total} · ${formatDuration(status.elapsedSeconds)} elapsed · ~${formatDuration(status.remainingSeconds)} left${status.estimateBasis === 'first guess' ? ' (first guess)' : ''}` : '';
    let text = [clock, ...parts].filter(Boolean).join(' | ');
    if (text.length > columns() - 1) text = text.slice(0, columns() - 2) + '…';
    live = text;
    write(`\r\x1b[2K${text}`);
  };
  const sink = ((e: RunnerEvent) => {
    if (e.type === 'status') status = e;
    if (e.type === 'step') current.set(e.host, `${e.resultId} ${e.step}`);
    if (e.type === 'progress') {
      const ev = e.event;
      const test = ev.test ? ` ${ev.test}${ev.pass ? ` ${ev.pass.index}/${ev.pass.total}` : ''}` : '';
      current.set(e.host, `${e.resultId ?? ev.subject} ${ev.step}${test}: ${ev.message}`);
    }
    if (e.type === 'result') current.delete(e.host);
    const quiet = e.type === 'status' || (e.type === 'progress' && (e.event.step === 'run' || e.event.level === 'debug'));
    const line = quiet ? undefined : eventLine(e, opts.debug);
    if (line !== undefined) write(`\r\x1b[2K${line}\n`);
    if (e.type === 'finished') {
      live = '';
      return;
    }
    redraw();
  }) as EventSink & { stop(): void };
  sink.stop = () => {
    if (live) write('\r\x1b[2K');
  };
  return sink;
}
