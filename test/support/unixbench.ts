import { describe, it } from 'vitest';
import { SOURCE_ENV } from '../../src/workloads/unixbench/source.js';

/** The UnixBench source the tests run: .ci/run points it at ../shared/unixbench/byte-unixbench-5.1.3.tar.gz. */
export const UNIXBENCH_SOURCE: string | undefined = process.env[SOURCE_ENV] || undefined;

const HOW = `set ${SOURCE_ENV} to a UnixBench 5.1.3 tarball or directory (.ci/run uses ../shared/unixbench/byte-unixbench-5.1.3.tar.gz)`;
const underCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * describe() for tests that run UnixBench. Without a source they cannot run: under CI that is a
 * failing test (a green CI must have run UnixBench); elsewhere the block is skipped, saying why.
 */
export function describeWithUnixBench(title: string, body: (source: string) => void): void {
  if (UNIXBENCH_SOURCE) {
    describe(title, () => body(UNIXBENCH_SOURCE));
  } else if (underCi) {
    describe(title, () => {
      it('has a UnixBench source (CI=true)', () => {
        throw new Error(`no UnixBench source: ${HOW}`);
      });
    });
  } else {
    console.warn(`skipped "${title}": ${HOW}`);
    describe.skip(title, () => body(''));
  }
}
