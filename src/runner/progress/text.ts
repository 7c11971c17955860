/** One runner event as a line of text, shared by the plain and terminal renderers. */
import type { RunnerEvent } from './events.js';
import { formatDuration } from './estimate.js';

/** One event as a line of text, or undefined when the event is only for the live status. */
export function eventLine(e: RunnerEvent, debug = false): string | undefined {
  switch (e.type) {
    case 'plan': {
      const todo = e.steps.filter((s) => !s.done).length;
      const head = `${e.resumed ? 'resuming' : 'running'} suite ${e.suite}: ${e.targets.length} target(s) x ${e.repetitions} repetition(s) on ${e.hosts.join(', ')}; order ${e.order} (seed ${e.seed})`;
      const rest = `${todo} to run${e.steps.length > todo ? `, ${e.steps.length - todo} already done` : ''}; estimated ${formatDuration(e.estimatedSeconds)}${e.estimateBasis ? ` (${e.estimateBasis})` : ''}; run directory ${e.runDir}`;
      const perHost = e.hosts.map((h) => `  ${h}: ${e.steps.filter((s) => s.host === h).map((s) => `${s.resultId}${s.done ? ' (done)' : ''}`).join(' -> ')}`);
      return [head, rest, ...perHost].join('\n');
    }
    case 'step':
      return `[${e.resultId}@${e.host}] ${e.step}: ${e.message}`;
    case 'progress': {
      const ev = e.event;
      if (ev.level === 'debug' && !debug) return undefined;
      // UnixBench test/pass ticks go to the live line; on plain output only test changes are printed.
      const where = e.resultId ? `${e.resultId}@${e.host}` : `${ev.subject}@${e.host}`;
      const pass = ev.pass && !/\bpass \d/.test(ev.message) ? ` (pass ${ev.pass.index}/${ev.pass.total})` : '';
      const level = ev.level === 'warn' ? 'warning: ' : ev.level === 'error' ? 'error: ' : '';
      return `[${where}] ${ev.step}: ${level}${ev.message}${ev.test && !ev.message.includes(ev.test) ? ` [${ev.test}]` : ''}${pass}`;
    }
    case 'result':
      return e.status === 'ok'
        ? `[${e.resultId}@${e.host}] done in ${formatDuration(e.seconds)}${e.score !== undefined ? `: ${e.scoreLabel ?? 'score'} ${e.score}` : ''}${e.emulated ? ' (EMULATED: KVM under TCG, not a KVM number)' : ''}`
        : `[${e.resultId}@${e.host}] FAILED after ${formatDuration(e.seconds)}: ${e.error?.code ?? 'ERROR'}: ${e.error?.message ?? ''}${e.error?.hint ? `\n  hint: ${e.error.hint}` : ''}`;
    case 'status':
      return `progress: ${e.done + e.failed}/${e.total} finished (${e.failed} failed), elapsed ${formatDuration(e.elapsedSeconds)}, about ${formatDuration(e.remainingSeconds)} left${e.estimateBasis === 'first guess' ? ' (a first guess)' : e.estimateBasis === 'learned' ? ' (from earlier runs here)' : ''}`;
    case 'rounds':
      return `rounds (${e.host}): ${e.message}${e.more ? `; adding round ${e.round + 1}` : ''}`;
    case 'warning':
      return `warning${e.host ? ` (${e.host})` : ''}: ${e.message}`;
    case 'cleanup':
      return `cleanup${e.host ? ` (${e.host})` : ''}: ${e.message}`;
    case 'finished': {
      const head = e.outcome === 'interrupted'
        ? `interrupted after ${formatDuration(e.elapsedSeconds)}: ${e.ok} ok, ${e.failed} failed, ${e.missing} not run`
        : `finished in ${formatDuration(e.elapsedSeconds)}: ${e.ok} ok, ${e.failed} failed${e.missing ? `, ${e.missing} not run` : ''}`;
      const lines = [head, `  results: ${e.runDir}`];
      if (e.report) lines.push(`  report:  ${e.report.dir}`, ...e.report.files.map((f) => `           ${f}`));
      if (e.outcome === 'interrupted' || e.missing > 0) lines.push(`  resume:  virtbench run --resume ${e.runDir}`);
      return lines.join('\n');
    }
  }
}
