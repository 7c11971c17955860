/**
 * UnixBench 5.1.3's tests as its `Run` script and pgms/index.base define them: the names Run
 * accepts, the name each prints (its "logmsg"), its category, how often it repeats, how long one
 * pass runs, its baseline, and the named groups. Suite checks, progress, estimates, scoring,
 * reports and test data all read this one table.
 */

/** Run's test categories ($testCats): the index table each belongs to and its copies limit. */
export const CATEGORIES = {
  system: { name: 'System Benchmarks', maxCopies: 16 },
  '2d': { name: '2D Graphics Benchmarks', maxCopies: 1 },
  '3d': { name: '3D Graphics Benchmarks', maxCopies: 1 },
  misc: { name: 'Non-Index Benchmarks', maxCopies: 16 },
} as const;

export type Category = keyof typeof CATEGORIES;

/**
 * The UnixBench versions the harness runs, each pinned to its upstream tag and commit. 6.0.0's
 * differences from 5.1.3 that matter here (read from its Run): the System Benchmarks and
 * Non-Index categories have no copies limit ('maxCopies' => 0, where 5.1.3 skips every test
 * above 16 copies); the tests, their names, baselines (pgms/index.base) and scoring are the same,
 * except that 6.0.0 leaves zero counts out of its geometric means instead of failing; it prints
 * its directories before the report and counts CPUs with getconf _NPROCESSORS_ONLN.
 */
export const UNIXBENCH_VERSIONS = {
  '5.1.3': { tag: 'v5.1.3', commit: 'c7ea5d492b1f82d4ccd270fee27863425e436235', systemMaxCopies: 16 },
  '6.0.0': { tag: 'v6.0.0', commit: '986b674a1e50eedd944bc08d6bdc8be925b2bc65', systemMaxCopies: undefined },
} as const satisfies Record<string, { tag: string; commit: string; systemMaxCopies: number | undefined }>;

export type UnixBenchVersion = keyof typeof UNIXBENCH_VERSIONS;
export const DEFAULT_UNIXBENCH_VERSION: UnixBenchVersion = '5.1.3';

export function isUnixBenchVersion(v: string): v is UnixBenchVersion {
  return Object.hasOwn(UNIXBENCH_VERSIONS, v);
}

/** The most copies a System Benchmarks pass runs with this version (undefined: no limit). */
export function maxSystemCopies(version: string): number | undefined {
  return isUnixBenchVersion(version) ? UNIXBENCH_VERSIONS[version].systemMaxCopies : CATEGORIES.system.maxCopies;
}

export const SYSTEM_CATEGORY = CATEGORIES.system.name;

export interface UnixBenchTest {
  /** The name on Run's command line. */
  name: string;
  /** The name Run prints in its report and .log (its "logmsg"). */
  logmsg: string;
  category: Category;
  /** 'long' tests run -i passes (default 10), 'short' ones (i+1)/3 (default 3). */
  repeat: 'long' | 'short';
  /** Seconds one pass runs (the time in Run's options for the test). */
  seconds: number;
  /** pgms/index.base: the score that indexes to 10, and its unit. Absent: not indexed. */
  baseline?: { value: number; unit: string };
  /** For chart axes, where the printed name does not fit. */
  shortName?: string;
}

const t = (name: string, logmsg: string, category: Category, repeat: 'long' | 'short', seconds: number, baseline?: [number, string], shortName?: string): UnixBenchTest => ({
  name,
  logmsg,
  category,
  repeat,
  seconds,
  ...(baseline ? { baseline: { value: baseline[0], unit: baseline[1] } } : {}),
  ...(shortName ? { shortName } : {}),
});

/** Every test Run accepts, keyed by its Run name, in Run's order. */
export const UNIXBENCH_TESTS: Readonly<Record<string, UnixBenchTest>> = Object.fromEntries(
  [
    t('dhry2reg', 'Dhrystone 2 using register variables', 'system', 'long', 10, [116700, 'lps'], 'Dhrystone 2'),
    t('whetstone-double', 'Double-Precision Whetstone', 'system', 'long', 10, [55.0, 'MWIPS'], 'Whetstone'),
    t('syscall', 'System Call Overhead', 'system', 'long', 10, [15000, 'lps'], 'Syscall'),
    t('pipe', 'Pipe Throughput', 'system', 'long', 10, [12440, 'lps'], 'Pipe'),
    t('context1', 'Pipe-based Context Switching', 'system', 'long', 10, [4000, 'lps'], 'Context Switch'),
    t('spawn', 'Process Creation', 'system', 'short', 30, [126, 'lps'], 'Process Creation'),
    t('execl', 'Execl Throughput', 'system', 'short', 30, [43.0, 'lps'], 'Execl'),
    t('fstime-w', 'File Write 1024 bufsize 2000 maxblocks', 'system', 'short', 30),
    t('fstime-r', 'File Read 1024 bufsize 2000 maxblocks', 'system', 'short', 30),
    t('fstime', 'File Copy 1024 bufsize 2000 maxblocks', 'system', 'short', 30, [3960, 'KBps'], 'File Copy 1024'),
    t('fsbuffer-w', 'File Write 256 bufsize 500 maxblocks', 'system', 'short', 30),
    t('fsbuffer-r', 'File Read 256 bufsize 500 maxblocks', 'system', 'short', 30),
    t('fsbuffer', 'File Copy 256 bufsize 500 maxblocks', 'system', 'short', 30, [1655, 'KBps'], 'File Copy 256'),
    t('fsdisk-w', 'File Write 4096 bufsize 8000 maxblocks', 'system', 'short', 30),
    t('fsdisk-r', 'File Read 4096 bufsize 8000 maxblocks', 'system', 'short', 30),
    t('fsdisk', 'File Copy 4096 bufsize 8000 maxblocks', 'system', 'short', 30, [5800, 'KBps'], 'File Copy 4096'),
    t('shell1', 'Shell Scripts (1 concurrent)', 'system', 'short', 60, [42.4, 'lpm'], 'Shell (1)'),
    t('shell8', 'Shell Scripts (8 concurrent)', 'system', 'short', 60, [6, 'lpm'], 'Shell (8)'),
    t('shell16', 'Shell Scripts (16 concurrent)', 'system', 'short', 60),
    t('short', 'Arithmetic Test (short)', 'misc', 'short', 10),
    t('int', 'Arithmetic Test (int)', 'misc', 'short', 10),
    t('long', 'Arithmetic Test (long)', 'misc', 'short', 10),
    t('float', 'Arithmetic Test (float)', 'misc', 'short', 10),
    t('double', 'Arithmetic Test (double)', 'misc', 'short', 10),
    t('arithoh', 'Arithoh', 'misc', 'short', 10),
    t('C', 'C Compiler Throughput (gcc)', 'misc', 'short', 60),
    t('dc', 'Dc: sqrt(2) to 99 decimal places', 'misc', 'short', 30),
    t('hanoi', 'Recursion Test -- Tower of Hanoi', 'misc', 'short', 20),
    t('grep', "Grep a large file (system's grep)", 'misc', 'short', 30, [1, 'lpm']),
    t('sysexec', 'Exec System Call Overhead', 'misc', 'long', 10, [25, 'lps']),
    t('2d-rects', '2D graphics: rectangles', '2d', 'short', 3, [15, 'score']),
    t('2d-lines', '2D graphics: lines', '2d', 'short', 3),
    t('2d-circle', '2D graphics: circles', '2d', 'short', 3),
    t('2d-ellipse', '2D graphics: ellipses', '2d', 'short', 3, [15, 'score']),
    t('2d-shapes', '2D graphics: polygons', '2d', 'short', 3),
    t('2d-aashapes', '2D graphics: aa polygons', '2d', 'short', 3, [15, 'score']),
    t('2d-polys', '2D graphics: complex polygons', '2d', 'short', 3),
    t('2d-text', '2D graphics: text', '2d', 'short', 3, [15, 'score']),
    t('2d-blit', '2D graphics: images and blits', '2d', 'short', 3, [15, 'score']),
    t('2d-window', '2D graphics: windows', '2d', 'short', 3, [15, 'score']),
    t('ubgears', '3D graphics: gears', '3d', 'short', 20, [33.4, 'fps']),
  ].map((test) => [test.name, test]),
);

const OLDSYSTEM = ['execl', 'fstime', 'fsbuffer', 'fsdisk', 'pipe', 'context1', 'spawn', 'syscall'];
const SYSTEM = [...OLDSYSTEM, 'shell1', 'shell8', 'shell16'];
const ARITHMETIC = ['arithoh', 'short', 'int', 'long', 'float', 'double', 'whetstone-double'];
const INDEX = ['dhry2reg', 'whetstone-double', ...OLDSYSTEM, 'shell1', 'shell8'];
const GRAPHICS = ['2d-rects', '2d-ellipse', '2d-aashapes', '2d-text', '2d-blit', '2d-window', 'ubgears'];

/** Run's named combos and shorthands. A member may itself be a group ("load" is "shell"). */
export const UNIXBENCH_GROUPS: Readonly<Record<string, readonly string[]>> = {
  arithmetic: ARITHMETIC,
  dhry: ['dhry2reg'],
  dhrystone: ['dhry2reg'],
  whets: ['whetstone-double'],
  whetstone: ['whetstone-double'],
  load: ['shell'],
  misc: ['C', 'dc', 'hanoi'],
  speed: [...ARITHMETIC, ...SYSTEM],
  oldsystem: OLDSYSTEM,
  system: SYSTEM,
  fs: ['fstime-w', 'fstime-r', 'fstime', 'fsbuffer-w', 'fsbuffer-r', 'fsbuffer', 'fsdisk-w', 'fsdisk-r', 'fsdisk'],
  shell: ['shell1', 'shell8', 'shell16'],
  graphics: GRAPHICS,
  index: INDEX,
  gindex: [...INDEX, ...GRAPHICS],
};

/** True when Run accepts the name as a test or a group. */
export function isUnixBenchTestOrGroup(name: string): boolean {
  return Object.hasOwn(UNIXBENCH_TESTS, name) || Object.hasOwn(UNIXBENCH_GROUPS, name);
}

/** Tests and groups (absent or empty: the index) as the Run names Run runs, in order. */
export function expandTests(names?: readonly string[]): string[] {
  const expand = (name: string): string[] => (Object.hasOwn(UNIXBENCH_GROUPS, name) ? UNIXBENCH_GROUPS[name]!.flatMap(expand) : [name]);
  return (names?.length ? names : ['index']).flatMap(expand);
}

/** The 12 index tests by the names Run prints, sorted by name as its index table (and the 2011 table) lists them. */
export const INDEX_TESTS: readonly string[] = INDEX.map((name) => UNIXBENCH_TESTS[name]!.logmsg).sort();

/** The line that combines the index tests (geometric mean of their index values). */
export const INDEX_SCORE = 'System Benchmarks Index Score';

/** A test's index.base entry, looked up by the name the report prints. */
export interface Baseline {
  /** The test's name on the Run command line. */
  test: string;
  baseline: number;
  unit: string;
  /** The index table it belongs to (Run's category name). */
  category: string;
}

/** index.base of 5.1.3, keyed by the name the report prints. */
export const BASELINES_5_1_3: Readonly<Record<string, Baseline>> = Object.fromEntries(
  Object.values(UNIXBENCH_TESTS)
    .filter((test) => test.baseline)
    .map((test) => [test.logmsg, { test: test.name, baseline: test.baseline!.value, unit: test.baseline!.unit, category: CATEGORIES[test.category].name }]),
);

const BY_LOGMSG = new Map(Object.values(UNIXBENCH_TESTS).map((test) => [test.logmsg, test]));

/** The test Run prints under this name, if it is one of 5.1.3's. */
export function testByLogmsg(logmsg: string): UnixBenchTest | undefined {
  return BY_LOGMSG.get(logmsg);
}

/** A short name for chart axes, where the printed name does not fit. */
export function shortTestName(logmsg: string): string {
  if (logmsg === INDEX_SCORE) return 'Index Score';
  return BY_LOGMSG.get(logmsg)?.shortName ?? logmsg;
}
