/**
 * Builds the measurement records (core/measurement.ts) of a result set: the workload's numbers
 * with the result's identity, target, method, emulation, workload version and manifest fields.
 * The one place that knows which workload produced a document.
 */
import type { Measurement, WorkloadMeasurement } from '../core/measurement.js';
import { unixbenchMeasurements } from '../workloads/unixbench/measurements.js';
import type { ResultDoc, ResultSet } from './model.js';

const WORKLOAD_TITLES: Record<ResultDoc['workload']['name'], string> = { unixbench: 'UnixBench' };

/** A workload's name as people write it ("UnixBench"). */
export function workloadTitle(name: string): string {
  return (WORKLOAD_TITLES as Record<string, string>)[name] ?? name;
}

function workloadMeasurements(doc: ResultDoc): WorkloadMeasurement[] {
  switch (doc.workload.name) {
    case 'unixbench':
      return doc.unixbench ? unixbenchMeasurements(doc.unixbench) : [];
  }
}

// Records are built as literals: spreading objects this wide is two orders of magnitude slower in V8,
// and the statistics build them thousands of times.
export function resultMeasurements(set: Pick<ResultSet, 'name' | 'source'>, doc: ResultDoc): Measurement[] {
  const m = doc.manifest;
  const manifest = m ? { kernelRelease: m.kernelRelease, os: m.os, cpuModel: m.cpuModel, cpusOnline: m.cpusOnline, arch: m.arch } : undefined;
  const label = doc.target.label ?? doc.target.name;
  const ok = doc.status === 'ok';
  const published = doc.published !== undefined || doc.target.method === 'published';
  const workloadVersion = doc.unixbench?.version || doc.workload.version;
  return workloadMeasurements(doc).map((w): Measurement => ({
    set: set.name, source: set.source, result: doc.id, run: doc.runId, target: doc.target.name, label, method: doc.target.method,
    host: doc.target.host, repetition: doc.repetition, ok, emulated: doc.emulated, published, workload: doc.workload.name, workloadVersion, manifest,
    test: w.test, kind: w.kind, level: w.level, copies: w.copies, cpusInSystem: w.cpusInSystem, category: w.category, raw: w.raw,
    baseline: w.baseline, indexed: w.indexed, index: w.index, iteration: w.iteration, partial: w.partial, order: w.order,
  }));
}

/** Every number of every result in the sets, in result order. */
export function measurementsOf(sets: ResultSet | readonly ResultSet[]): Measurement[] {
  return (Array.isArray(sets) ? sets : [sets as ResultSet]).flatMap((set: ResultSet) => set.results.flatMap((doc) => resultMeasurements(set, doc)));
}
