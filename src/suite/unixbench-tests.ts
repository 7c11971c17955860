/**
 * Test and group names that UnixBench 5.1.3's `Run` accepts (its $testList), so a suite with a
 * misspelt test fails when it is read, not an hour into a run.
 */
export const UNIXBENCH_TESTS: readonly string[] = [
  'dhry2reg', 'whetstone-double', 'syscall', 'pipe', 'context1', 'spawn', 'execl',
  'fstime-w', 'fstime-r', 'fstime', 'fsbuffer-w', 'fsbuffer-r', 'fsbuffer', 'fsdisk-w', 'fsdisk-r', 'fsdisk',
  'shell1', 'shell8', 'shell16', 'short', 'int', 'long', 'float', 'double', 'arithoh', 'C', 'dc', 'hanoi',
  'grep', 'sysexec', '2d-rects', '2d-lines', '2d-circle', '2d-ellipse', '2d-shapes', '2d-aashapes',
  '2d-polys', '2d-text', '2d-blit', '2d-window', 'ubgears',
];

export const UNIXBENCH_GROUPS: readonly string[] = [
  'arithmetic', 'dhry', 'dhrystone', 'whets', 'whetstone', 'load', 'misc', 'speed', 'oldsystem', 'system',
  'fs', 'shell', 'graphics', 'index', 'gindex',
];

/** The 12 tests of the System Benchmarks Index (what `./Run` with no test list runs). */
export const UNIXBENCH_INDEX_TESTS: readonly string[] = [
  'dhry2reg', 'whetstone-double', 'execl', 'fstime', 'fsbuffer', 'fsdisk', 'pipe', 'context1', 'spawn', 'shell1', 'shell8', 'syscall',
];

/**
 * The short profile: one iteration, one copy, the index tests that take 10-30 s each and do not
 * depend on disk size. About 2.5 minutes of UnixBench per guest (runA in the fixtures: 8 tests, 185 s).
 */
export const SHORT_PROFILE = {
  iterations: 1,
  copies: [1],
  tests: ['dhry2reg', 'whetstone-double', 'syscall', 'pipe', 'context1', 'spawn', 'execl'],
} as const;
