/**
 * UnixBench 5.1.3 output as data. The parser (parse-report.ts, parse-log.ts) produces it;
 * results, analysis and reports consume it. Numbers are exactly as printed unless a field
 * says "recomputed".
 */
export interface UnixBenchCpu {
  index: number;
  model: string;
  bogomips?: number;
  /** The feature line under each CPU: "Hyper-Threading, x86-64, MMX, ...". */
  features: string[];
}

export interface UnixBenchSystem {
  hostname: string;
  /** "GNU/Linux" from "System: host: GNU/Linux". */
  system: string;
  os: string;
  kernelRelease: string;
  kernelVersion: string;
  machine: string;
  /** "unknown" in "Machine: x86_64 (unknown)" (uname -i). */
  platform?: string;
  language: string;
  cpus: UnixBenchCpu[];
  uptimeLine?: string;
}

/** One line of a pass's results: "Dhrystone 2 using register variables  28449308.6 lps (10.0 s, 1 samples)". */
export interface UnixBenchTestResult {
  name: string;
  value: number;
  unit: string;
  seconds: number;
  samples: number;
}

/** One row of the index table. Published data (2011) may carry only the index. */
export interface UnixBenchIndexRow {
  name: string;
  baseline: number | null;
  result: number | null;
  index: number;
}

/** One index table of a pass: "System Benchmarks Index Values" (or "Partial Index") and its score. */
export interface UnixBenchIndexTable {
  partial: boolean;
  rows: UnixBenchIndexRow[];
  score: number;
  /** "System Benchmarks" when absent. */
  category?: string;
  /** Tests printed in the table without a baseline ("---"), e.g. Shell Scripts (16 concurrent). */
  unindexed?: { name: string; result: number }[];
}

export interface UnixBenchPass {
  copies: number;
  cpusInSystem: number;
  /** The "Benchmark Run: ..." line as printed (its date follows the guest's locale). */
  runLine: string;
  tests: UnixBenchTestResult[];
  /** The System Benchmarks index table. Absent when the pass ran no index test. */
  index?: UnixBenchIndexTable;
  /** Index tables of other categories (2D/3D graphics, "Non-Index Benchmarks" for grep/sysexec). */
  otherIndexes?: UnixBenchIndexTable[];
  /** 5.1.3 skips every test above 16 copies and prints an empty pass. */
  empty: boolean;
}

/** One test's passes as the .log records them (the input for recomputing scores). */
export interface UnixBenchLogTest {
  name: string;
  copies: number;
  /** Per-iteration scores, in run order. */
  iterations: number[];
  /** ">>>> score:" as printed. */
  printedScore: number;
  /** Worst third dropped, geometric mean of the rest: recomputed by the parser. */
  recomputedScore: number;
  /** The passes as the .log records them, copies summed (the input of recomputedScore). */
  passes?: { count: number; timebase: number; unit: string; time: number }[];
  /** ">>>> time:" and ">>>> iterations:" as printed (iterations = passes kept). */
  printedTime?: number;
  printedIterations?: number;
}

/** A printed figure checked against its recomputation. */
export interface UnixBenchCheck {
  what: string;
  printed: number;
  recomputed: number;
  relativeDifference: number;
  /** Within rounding of the printed precision. */
  ok: boolean;
  /** The largest |printed - recomputed| that rounding explains. */
  tolerance?: number;
}

export interface UnixBenchReport {
  version: string;
  system: UnixBenchSystem;
  passes: UnixBenchPass[];
  /** "Run: ...; aborting": the run stopped; passes holds what finished before. */
  aborted?: { message: string; line: number };
  log?: { tests: UnixBenchLogTest[] };
  checks: UnixBenchCheck[];
}
