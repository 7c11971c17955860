import type { UnixBenchCheck } from './model.js';

/**
 * UnixBench 5.1.3's arithmetic, as its `Run` script does it (combinePassResults, indexResults),
 * so printed figures can be recomputed and checked.
 */

/** index.base of 5.1.3, keyed by the name the report prints (the test's "logmsg"). */
export interface Baseline {
  /** The test's name on the Run command line. */
  test: string;
  baseline: number;
  unit: string;
  /** The index table it belongs to (5.1.3's test category names). */
  category: string;
}

export const SYSTEM_CATEGORY = 'System Benchmarks';

const b = (test: string, baseline: number, unit: string, category = SYSTEM_CATEGORY): Baseline => ({ test, baseline, unit, category });

export const BASELINES_5_1_3: Readonly<Record<string, Baseline>> = {
  'Dhrystone 2 using register variables': b('dhry2reg', 116700, 'lps'),
  'Double-Precision Whetstone': b('whetstone-double', 55.0, 'MWIPS'),
  'Execl Throughput': b('execl', 43.0, 'lps'),
  'File Copy 1024 bufsize 2000 maxblocks': b('fstime', 3960, 'KBps'),
  'File Copy 256 bufsize 500 maxblocks': b('fsbuffer', 1655, 'KBps'),
  'File Copy 4096 bufsize 8000 maxblocks': b('fsdisk', 5800, 'KBps'),
  'Pipe Throughput': b('pipe', 12440, 'lps'),
  'Pipe-based Context Switching': b('context1', 4000, 'lps'),
  'Process Creation': b('spawn', 126, 'lps'),
  'Shell Scripts (8 concurrent)': b('shell8', 6, 'lpm'),
  'System Call Overhead': b('syscall', 15000, 'lps'),
  'Shell Scripts (1 concurrent)': b('shell1', 42.4, 'lpm'),
  '2D graphics: rectangles': b('2d-rects', 15, 'score', '2D Graphics Benchmarks'),
  '2D graphics: ellipses': b('2d-ellipse', 15, 'score', '2D Graphics Benchmarks'),
  '2D graphics: aa polygons': b('2d-aashapes', 15, 'score', '2D Graphics Benchmarks'),
  '2D graphics: text': b('2d-text', 15, 'score', '2D Graphics Benchmarks'),
  '2D graphics: images and blits': b('2d-blit', 15, 'score', '2D Graphics Benchmarks'),
  '2D graphics: windows': b('2d-window', 15, 'score', '2D Graphics Benchmarks'),
  '3D graphics: gears': b('ubgears', 33.4, 'fps', '3D Graphics Benchmarks'),
  "Grep a large file (system's grep)": b('grep', 1, 'lpm', 'Non-Index Benchmarks'),
  'Exec System Call Overhead': b('sysexec', 25, 'lps', 'Non-Index Benchmarks'),
};

/** The 12 tests of the System Benchmarks Index, sorted by name as the report prints them. */
export const SYSTEM_INDEX_TESTS: readonly string[] = Object.entries(BASELINES_5_1_3)
  .filter(([, v]) => v.category === SYSTEM_CATEGORY)
  .map(([name]) => name)
  .sort();

/** One pass of one test as the .log records it, the copies already summed as runOnePass does. */
export interface CombinedPass {
  /** COUNT0 summed over the copies. */
  count: number;
  /** COUNT1 of the first copy: 0 = count is a rate; else count per `timebase` seconds. */
  timebase: number;
  /** Mean over the copies of (TIME || elapsed), seconds. */
  time: number;
}

/** A pass's score as combinePassResults counts it: a rate per timebase, or the count itself. */
export function passScore(p: CombinedPass): number {
  return p.timebase > 0 ? p.count / (p.time / p.timebase) : p.count;
}

export interface CombinedScore {
  score: number;
  /** Mean time of the kept passes. */
  time: number;
  /** Passes kept. */
  iterations: number;
  /** Passes dropped as the worst third. */
  dropped: number;
}

/**
 * 5.1.3's rule: sort the passes by their raw COUNT0 (not by their rate), drop the first
 * int(n/3), and take the geometric mean of the rest's scores.
 */
export function combinePasses(passes: readonly CombinedPass[]): CombinedScore {
  const sorted = [...passes].sort((x, y) => x.count - y.count);
  const dropped = Math.floor(passes.length / 3);
  const kept = sorted.slice(dropped);
  let product = 0;
  let totalTime = 0;
  for (const p of kept) {
    product += p.timebase > 0 ? Math.log(p.count) - Math.log(p.time / p.timebase) : Math.log(p.count);
    totalTime += p.time;
  }
  const n = kept.length;
  return { score: n > 0 ? Math.exp(product / n) : NaN, time: n > 0 ? totalTime / n : NaN, iterations: n, dropped };
}

export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += Math.log(v);
  return Math.exp(sum / values.length);
}

/** index = score / baseline * 10. */
export function indexValue(score: number, baseline: number): number {
  return (score / baseline) * 10;
}

/** Half a unit in the last place shown: "1015.2" -> 0.05, "3639" -> 0.5, "28449308.5788002" -> 5e-8. */
export function halfUnitInLastPlace(printed: string): number {
  const m = /^[-+]?\d*(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(printed.trim());
  if (!m) return 0;
  const decimals = m[1]?.length ?? 0;
  const exponent = m[2] ? Number(m[2]) : 0;
  return 0.5 * 10 ** (exponent - decimals);
}

/** Float noise allowance for a recomputation that should reproduce a figure exactly. */
const EPS = 1e-12;

/**
 * Tolerance for a geometric mean recomputed from printed (rounded) values: each input may be
 * off by its half unit, which moves the mean by mean * (half unit / value) / n, summed.
 */
export function geometricMeanTolerance(values: readonly number[], halfUnits: readonly number[]): number {
  const g = geometricMean(values);
  let rel = 0;
  values.forEach((v, i) => { rel += (halfUnits[i] ?? 0) / Math.abs(v); });
  return (g * rel) / Math.max(values.length, 1);
}

export function check(what: string, printed: number, recomputed: number, tolerance: number): UnixBenchCheck {
  const diff = printed - recomputed;
  const relativeDifference = recomputed !== 0 ? diff / recomputed : diff === 0 ? 0 : Infinity;
  const allowed = tolerance + EPS * Math.max(1, Math.abs(recomputed));
  return { what, printed, recomputed, relativeDifference, ok: Number.isFinite(recomputed) && Math.abs(diff) <= allowed, tolerance: allowed };
}
