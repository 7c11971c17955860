/**
 * Synthetic result sets where the truth is known: a FAKE generator for the verdict-rate,
 * power and coverage checks (tests and bench). The documents have the real ResultDoc shape;
 * the numbers come from a seeded log-normal model, never from a machine, and every document
 * says so in guestFacts.fake.
 */
import type { EnvironmentManifest, ResultDoc, ResultSet } from '../../src/results/model.js';
import type { Rng } from '../../src/core/random.js';
import { BASELINES_5_1_3, INDEX_TESTS } from '../../src/workloads/unixbench/catalogue.js';

export interface SyntheticColumn {
  label: string;
  method?: ResultDoc['target']['method'];
  copies?: number;
  /** Per test: the true median index. */
  medians: Record<string, number>;
  /** Coefficient of variation between repetitions (0.01 = 1%). */
  cv: number;
  repetitions: number;
  /** Per-iteration values written into the .log part (default none). */
  iterations?: number;
  /** Within-run CV for the iterations (default cv). */
  iterationCv?: number;
  emulated?: boolean;
  manifest?: Partial<EnvironmentManifest>;
  hostManifest?: Partial<EnvironmentManifest>;
}

export const SYNTHETIC_MANIFEST: EnvironmentManifest = {
  collectedAt: '2026-01-01T00:00:00Z',
  hostname: 'synthetic',
  os: 'Debian GNU/Linux 12',
  kernelRelease: '6.1.0-synthetic',
  kernelVersion: '#1 SMP synthetic',
  arch: 'x86_64',
  cpuModel: 'Synthetic CPU',
  cpuFlags: [],
  cpusOnline: 2,
  memoryMiB: 4096,
  governor: 'performance',
  unixbench: { version: '5.1.3', sourceSha256: 'synthetic', source: 'synthetic' },
};

function geo(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

export function syntheticResults(rng: Rng, col: SyntheticColumn, runId = 'synthetic'): ResultDoc[] {
  const copies = col.copies ?? 1;
  const docs: ResultDoc[] = [];
  for (let rep = 1; rep <= col.repetitions; rep++) {
    const rows = Object.entries(col.medians).map(([name, median]) => {
      const index = rng.logNormal(median, col.cv);
      const baseline = BASELINES_5_1_3[name]?.baseline ?? 1;
      return { name, baseline, result: (index * baseline) / 10, index };
    });
    const logTests = (col.iterations ?? 0) > 0
      ? rows.map((r) => {
          const iterations = Array.from({ length: col.iterations! }, () => rng.logNormal(r.result!, col.iterationCv ?? col.cv));
          return { name: r.name, copies, iterations, printedScore: geo(iterations), recomputedScore: geo(iterations) };
        })
      : undefined;
    docs.push({
      schemaVersion: 1,
      id: `${col.label}-c${copies}-r${rep}`,
      runId,
      target: { name: col.label, method: col.method ?? 'host', host: 'local', label: col.label },
      workload: { name: 'unixbench', version: '5.1.3', options: {} },
      repetition: rep,
      status: 'ok',
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:00:00Z',
      emulated: col.emulated ?? false,
      guestFacts: { fake: 'synthetic: seeded log-normal model, not a measurement' },
      unixbench: {
        version: '5.1.3',
        system: { hostname: 'synthetic', system: 'GNU/Linux', os: 'GNU/Linux', kernelRelease: '', kernelVersion: '', machine: 'x86_64', language: 'en_US.utf8', cpus: [] },
        passes: [{ copies, cpusInSystem: 2, runLine: 'synthetic', tests: [], index: { partial: false, rows, score: geo(rows.map((r) => r.index)) }, empty: false }],
        log: logTests ? { tests: logTests } : undefined,
        checks: [],
      },
      manifest: { ...SYNTHETIC_MANIFEST, ...col.manifest },
      hostManifest: { ...SYNTHETIC_MANIFEST, ...col.hostManifest },
      rawFiles: [],
    });
  }
  return docs;
}

export function syntheticSet(rng: Rng, name: string, columns: SyntheticColumn[]): ResultSet {
  return { source: `synthetic:${name}`, name, results: columns.flatMap((c) => syntheticResults(rng, c, name)) };
}

/** The same median for every test. */
export function flatMedians(index: number, tests: readonly string[] = INDEX_TESTS): Record<string, number> {
  return Object.fromEntries(tests.map((t) => [t, index]));
}
