/** `virtbench calibrate` output: per column and test, the noise, the detectable drop and the false alarms (terminal, Markdown, JSON). */
import type { CalibrationColumn, CalibrationFile } from '../analysis/calibration-store.js';
import { markdownTable, textTable, type Align } from './text-table.js';
import { formatLevel, percent } from './format.js';

const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : percent(x * 100, digits));

const HEADER = ['test', 'rounds', 'run-to-run CV', 'detectable drop', 'false alarms'];
const ALIGN: Align[] = ['left', 'right', 'right', 'right', 'right'];

function rows(c: CalibrationColumn): string[][] {
  return c.tests.map((t) => [
    t.test,
    String(t.rounds),
    pct(t.cv),
    t.detectableDrop === null ? 'over 99%' : pct(t.detectableDrop),
    t.falseAlarms.pairs ? `${t.falseAlarms.flagged}/${t.falseAlarms.pairs} (${pct(t.falseAlarms.rate)})` : 'no pairs',
  ]);
}

function columnTitle(c: CalibrationColumn): string {
  return `${c.column} (${c.method}${c.emulated ? ', emulated (TCG)' : ''}): ${c.rounds} A/A rounds`;
}

function familyLine(c: CalibrationColumn, f: CalibrationFile): string {
  const fa = c.familyFalseAlarms;
  const pairs = fa.pairs
    ? `any of the ${c.familySize} rows flagged in ${fa.flagged} of ${fa.pairs} pseudo A/B pairs of ${c.pairRepetitions} round(s) a side (${pct(fa.rate)}; stated level ${formatLevel(1 - f.design.confidence)})`
    : `no pseudo A/B pairs: ${c.rounds} rounds cannot make two disjoint sides of 2 or more`;
  const short = c.pairRepetitions < f.design.repetitions ? ` (fewer than the ${f.design.repetitions} repetitions of the gate: run more rounds, at least ${2 * f.design.repetitions})` : '';
  return `family-wise false alarms: ${pairs}${short}`;
}

export function calibrationNote(f: CalibrationFile): string {
  return (
    `Gate: ${f.design.repetitions} repetitions a side, threshold ${pct(f.design.threshold)}, ${formatLevel(f.design.confidence)} family-wise` +
    `${f.design.looks > 1 ? ` over ${f.design.looks} looks` : ''}. Detectable drop: ${f.methods.detectable} (power ${formatLevel(f.design.power)}). ` +
    `False alarms: ${f.methods.falseAlarms}. Host fingerprint ${f.fingerprint} (${f.hostManifest.cpuModel}, kernel ${f.hostManifest.kernelRelease}).`
  );
}

export function renderCalibrationText(f: CalibrationFile, format: 'terminal' | 'md', columns = f.columns): string {
  const out: string[] = [];
  if (format === 'md') {
    out.push(`# Calibration on ${f.hostManifest.hostname}`, '');
    for (const c of columns) out.push(`## ${columnTitle(c)}`, '', markdownTable(HEADER, rows(c), ALIGN), '', familyLine(c, f), '');
    out.push(calibrationNote(f), '');
  } else {
    out.push(`virtbench calibrate: host ${f.hostManifest.hostname}`, '');
    for (const c of columns) out.push(columnTitle(c), textTable(HEADER, rows(c), ALIGN), familyLine(c, f), '');
    out.push(calibrationNote(f), '');
  }
  return out.join('\n');
}

export function renderCalibrationJson(f: CalibrationFile): string {
  return JSON.stringify({ ...f, note: calibrationNote(f) }, null, 2) + '\n';
}
