/**
 * The 12 tests of the UnixBench 5.1.3 System Benchmarks Index, in the order the 2011 table
 * (and UnixBench's own index table, which sorts by name) lists them, then the Index Score.
 */
export const INDEX_TESTS = [
  'Dhrystone 2 using register variables',
  'Double-Precision Whetstone',
  'Execl Throughput',
  'File Copy 1024 bufsize 2000 maxblocks',
  'File Copy 256 bufsize 500 maxblocks',
  'File Copy 4096 bufsize 8000 maxblocks',
  'Pipe Throughput',
  'Pipe-based Context Switching',
  'Process Creation',
  'Shell Scripts (1 concurrent)',
  'Shell Scripts (8 concurrent)',
  'System Call Overhead',
] as const;

export const INDEX_SCORE = 'System Benchmarks Index Score';

/** Short names for chart axes, where the full test names do not fit. */
export const SHORT_TEST_NAMES: Record<string, string> = {
  'Dhrystone 2 using register variables': 'Dhrystone 2',
  'Double-Precision Whetstone': 'Whetstone',
  'Execl Throughput': 'Execl',
  'File Copy 1024 bufsize 2000 maxblocks': 'File Copy 1024',
  'File Copy 256 bufsize 500 maxblocks': 'File Copy 256',
  'File Copy 4096 bufsize 8000 maxblocks': 'File Copy 4096',
  'Pipe Throughput': 'Pipe',
  'Pipe-based Context Switching': 'Context Switch',
  'Process Creation': 'Process Creation',
  'Shell Scripts (1 concurrent)': 'Shell (1)',
  'Shell Scripts (8 concurrent)': 'Shell (8)',
  'System Call Overhead': 'Syscall',
  [INDEX_SCORE]: 'Index Score',
};

export function shortTestName(test: string): string {
  return SHORT_TEST_NAMES[test] ?? test;
}
