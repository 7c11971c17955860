/**
 * The short profile: one iteration, one copy, the index tests that take 10-30 s each and do not
 * depend on disk size. About 2.5 minutes of UnixBench per guest (runA in the fixtures: 8 tests, 185 s).
 */
export const SHORT_PROFILE = {
  iterations: 1,
  copies: [1],
  tests: ['dhry2reg', 'whetstone-double', 'syscall', 'pipe', 'context1', 'spawn', 'execl'],
} as const;
