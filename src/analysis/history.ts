/**
 * A history of many runs: per column (target label, copies) and test, the series of index values
 * (one point per repetition: independent runs), ordered by time or by a manifest field (e.g. the
 * host kernel), with its change points (change-points.ts). Pure: no I/O, no rendering.
 */
import type { ResultSet } from '../results/model.js';
import { CHANGE_POINT_METHOD, findChangePoints, type ChangePoint, type ChangePointOptions } from './change-points.js';
import { MANIFEST_FIELDS } from './manifest-diff.js';
import { resultMeasurements, workloadTitle } from '../results/measurements.js';
import { copiesText, EMULATED_MARKER, groupKeyOf } from './groups.js';

export interface HistoryPoint {
  run: string;
  resultId: string;
  startedAt: string;
  /** The value the series is ordered by (the time, or the manifest field's value). */
  orderValue: string;
  value: number;
}

export interface HistoryChange extends ChangePoint {
  /** The run of the first point after the change, and its order value. */
  run: string;
  orderValue: string;
  direction: 'worse' | 'better';
}

export interface HistorySeries {
  column: string;
  test: string;
  points: HistoryPoint[];
  changes: HistoryChange[];
  /** The newest point sits after a change point that made things worse (the last change is a drop). */
  worseNow: boolean;
}

export interface History {
  orderBy: string;
  method: string;
  options: ChangePointOptions;
  runs: string[];
  series: HistorySeries[];
  worseNow: boolean;
}

/** "time", or a manifest field, "host.<field>" or "guest.<field>" (a bare field: the host's). */
export function orderKey(orderBy: string): (r: ResultSet['results'][number]) => string | undefined {
  if (orderBy === 'time') return (r) => r.startedAt;
  const [side, name] = orderBy.includes('.') && /^(host|guest)\./.test(orderBy) ? [orderBy.split('.')[0], orderBy.slice(orderBy.indexOf('.') + 1)] : ['host', orderBy];
  const field = MANIFEST_FIELDS.find((f) => f.name === name);
  if (!field) throw new RangeError(`unknown order: ${orderBy}`);
  return (r) => {
    const m = side === 'guest' ? r.manifest : r.hostManifest;
    return m ? field.get(m) : undefined;
  };
}

export function orderFields(): string[] {
  return ['time', ...MANIFEST_FIELDS.map((f) => f.name), ...MANIFEST_FIELDS.map((f) => `guest.${f.name}`)];
}

const collator = new Intl.Collator('en', { numeric: true });

export function buildHistory(sets: readonly ResultSet[], o: { orderBy: string; changePoints?: Partial<ChangePointOptions>; threshold?: number }): History {
  const key = orderKey(o.orderBy);
  const bySeries = new Map<string, { column: string; version: string; test: string; order: number; kind: string; points: HistoryPoint[] }>();
  for (const set of sets) {
    for (const r of set.results) {
      if (r.status !== 'ok') continue;
      const orderValue = key(r);
      if (orderValue === undefined) continue;
      for (const m of resultMeasurements(set, r)) {
        if (!m.ok || m.level !== 'run' || !(m.index !== undefined && m.index > 0)) continue;
        // The analysis's grouping key (groups.ts) without the set: a series runs across sets.
        const { set: _set, ...key } = groupKeyOf(m);
        const column = `${m.label}, ${copiesText(m.copies)}${m.emulated ? ` (${EMULATED_MARKER})` : ''}`;
        const k = JSON.stringify([key, m.test]);
        const version = `${workloadTitle(m.workload)} ${m.workloadVersion}`;
        const s = bySeries.get(k) ?? { column, version, test: m.test, order: m.order, kind: m.kind, points: [] };
        s.points.push({ run: set.name, resultId: r.id, startedAt: r.startedAt, orderValue, value: m.index });
        bySeries.set(k, s);
      }
    }
  }
  // Series of different workload versions are never pooled; their columns say which is which.
  if (new Set([...bySeries.values()].map((s) => s.version)).size > 1) for (const s of bySeries.values()) s.column += ` [${s.version}]`;
  const options = { alpha: 0.05, permutations: 199, seed: 1, minSize: 2, ...o.changePoints };
  const ordered = [...bySeries.values()].sort((a, b) => a.column.localeCompare(b.column) || (a.kind === b.kind ? a.order - b.order : a.kind === 'score' ? 1 : -1));
  const series: HistorySeries[] = ordered.map(({ column, test, points: raw }) => {
    const s = { column, test, points: raw };
    const points = [...s.points].sort((a, b) => collator.compare(a.orderValue, b.orderValue) || a.startedAt.localeCompare(b.startedAt));
    const changes: HistoryChange[] = points.length >= 2 * options.minSize
      ? findChangePoints(points.map((p) => p.value), options).map((c) => ({ ...c, run: points[c.index]!.run, orderValue: points[c.index]!.orderValue, direction: c.ratio < 1 ? 'worse' : 'better' }))
      : [];
    const last = changes[changes.length - 1];
    return { ...s, points, changes, worseNow: last !== undefined && last.direction === 'worse' && (last.interval ? last.interval.upper < 1 : true) };
  });
  const runs = [...new Set(sets.map((s) => s.name))];
  return { orderBy: o.orderBy, method: CHANGE_POINT_METHOD, options, runs, series, worseNow: series.some((s) => s.worseNow) };
}
