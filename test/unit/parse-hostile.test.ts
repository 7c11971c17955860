import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/core/errors.js';
import { parseUnixBench, type UnixBenchFiles } from '../../src/workloads/unixbench/parse.js';

/** Broken, cut, hostile and unusual UnixBench output, made from the real fixtures. */
const FIX = 'test/fixtures/unixbench';
const read = (p: string): string => readFileSync(join(FIX, p), 'utf8');
const A = { report: read('runA_i1_c1_subset/vm-2026-11-26-01'), log: read('runA_i1_c1_subset/vm-2026-11-26-01.log') };
const B = { report: read('runB_i1_c1_c2_index/vm-2026-11-26-02'), log: read('runB_i1_c1_c2_index/vm-2026-11-26-02.log') };

function parseError(files: UnixBenchFiles): ParseError {
  try {
    parseUnixBench(files, 'in');
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return e as ParseError;
  }
  throw new Error('expected a ParseError, but the input parsed');
}

const lines = (t: string): string[] => t.split('\n');
const firstN = (t: string, n: number): string => lines(t).slice(0, n).join('\n') + '\n';

describe('garbage and empty input', () => {
  it('empty report: says what was expected at line 1', () => {
    const e = parseError({ report: '' });
    expect(e.location).toEqual({ file: 'in', line: 1 });
    expect(e.message).toContain('BYTE UNIX Benchmarks');
    expect(e.message).toContain('end of the file');
    expect(e.hint).toBeTruthy();
  });

  it('binary garbage: line 1, the garbage shown safely', () => {
    const e = parseError({ report: '\u0000\u0001\u0002PK\u0003\u0004 garbage\n' });
    expect(e.location?.line).toBe(1);
    expect(e.message).toMatch(/found "\?\?\?PK\?\? garbage"/);
  });

  it('an HTML report given as the text report', () => {
    const e = parseError({ report: read('runA_i1_c1_subset/vm-2026-11-26-01.html') });
    expect(e.message).toContain('expected the banner');
    expect(e.location?.line).toBe(1);
  });

  it('a garbled result line names its line', () => {
    const l = lines(A.report);
    l[16] = 'Dhrystone 2 using register variables       28449308.6 lps   (10.0 s, one sample)';
    const e = parseError({ report: l.join('\n') });
    expect(e.location?.line).toBe(17);
    expect(e.message).toContain('a test result');
  });

  it('a garbled index value names its line', () => {
    const l = lines(B.report);
    l[30] = l[30]!.replace('3096.8', '30x6.8');
    const e = parseError({ report: l.join('\n') });
    expect(e.location?.line).toBe(31);
    expect(e.message).toContain('index row');
  });

  it('a log that is not a UnixBench log', () => {
    const e = parseError({ report: A.report, log: 'hello\nworld\n' });
    expect(e.location).toEqual({ file: 'in.log', line: 1 });
    expect(e.message).toContain('56 "#"');
  });

  it('a log with a non-numeric count', () => {
    const e = parseError({ report: A.report, log: A.log.replace('# COUNT0: 284860850', '# COUNT0: lots') });
    expect(e.location?.file).toBe('in.log');
    expect(e.location?.line).toBe(9);
    expect(e.message).toContain('COUNT0');
  });

  it('a report and a log of different runs', () => {
    const e = parseError({ report: A.report, log: B.log });
    expect(e.message).toContain('do not belong together');
  });
});

describe('truncated input never gives half a result', () => {
  const total = lines(B.report).length;
  // Every cut inside the report that does not end at a pass boundary must be refused.
  it.each([1, 3, 8, 11, 13, 14, 15, 16, 20, 28, 29, 35, 42, 43, 46, 60, 63, 75])('report cut after %i lines', (n) => {
    const e = parseError({ report: firstN(B.report, n) });
    expect(e.location?.file).toBe('in');
    expect(e.location?.line).toBeGreaterThan(0);
    expect(e.location?.line).toBeLessThanOrEqual(n + 1);
    expect(e.message).toMatch(/^expected /);
  });

  it('every cut of the report either fails or yields whole passes only (never half a pass)', () => {
    const full = parseUnixBench({ report: B.report }, 'in');
    let refused = 0;
    for (let n = 0; n < total; n++) {
      let passes;
      try {
        passes = parseUnixBench({ report: firstN(B.report, n) }, 'in').passes;
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
        refused++;
        continue;
      }
      // Accepted cuts end at a pass boundary: each pass is complete and equal to the full parse's.
      expect(passes.length).toBeGreaterThan(0);
      expect(passes).toEqual(full.passes.slice(0, passes.length));
    }
    expect(refused).toBeGreaterThan(total - 8);
  });

  it('a report cut mid-line in the last index row', () => {
    const text = B.report.slice(0, B.report.lastIndexOf('System Call Overhead') + 30);
    const e = parseError({ report: text });
    expect(e.location?.line).toBe(lines(text).length);
    expect(total).toBeGreaterThan(lines(text).length);
  });

  it('a report cut after its first pass while the .log has the second', () => {
    const cut = firstN(B.report, 44);
    const e = parseError({ report: cut, log: B.log });
    expect(e.message).toContain('which the report lacks');
    expect(e.location?.file).toBe('in.log');
  });

  it('a log cut inside a test, with no abort', () => {
    const l = lines(A.log);
    const e = parseError({ report: A.report, log: l.slice(0, 30).join('\n') });
    expect(e.message).toContain('no result and no error');
    expect(e.location?.file).toBe('in.log');
  });

  it('a log cut inside the ">>>>" lines', () => {
    const at = A.log.indexOf('>>>> time: 10.012927');
    const e = parseError({ report: A.report, log: A.log.slice(0, at) });
    expect(e.message).toContain('>>>> time');
  });
});

describe('aborted runs', () => {
  // What 5.1.3 leaves when a test program writes to stderr: the log has the copy's ERROR, the
  // console has "Run: ...; aborting", the report has the header and the passes that finished.
  const header = firstN(A.report, 12);
  const abortedLog =
    A.log.slice(0, A.log.indexOf('########################################################\nExecl')) +
    '########################################################\n' +
    'Execl Throughput -- 1 copy\n==> "/opt/unixbench/pgms/execl" 30 2>&1 >> "/opt/unixbench/results/vm-2026-11-26-01.log"\n\n' +
    '#### Pass 1\n\n\n# ERROR: execl: cannot exec: Permission denied\n# elapsed: 0.001\n# pid: 99\n# status: 256\n\n';
  const consoleText = 'make all\n...\n1 x Execl Throughput  1\n\n**********************************************\nRun: "Execl Throughput": execl: cannot exec: Permission denied; aborting\n';

  it('from the console: aborted, with the message and its line, and the header', () => {
    const r = parseUnixBench({ report: header, log: abortedLog, console: consoleText }, 'in');
    expect(r.aborted).toEqual({ message: '"Execl Throughput": execl: cannot exec: Permission denied', line: 6 });
    expect(r.passes).toEqual([]);
    expect(r.system.hostname).toBe('vm');
    expect(r.log!.tests.map((t) => t.name)).toEqual(['Dhrystone 2 using register variables', 'Double-Precision Whetstone']);
  });

  it('from the .log alone: the copy ERROR block', () => {
    const r = parseUnixBench({ report: header, log: abortedLog }, 'in');
    expect(r.aborted?.message).toBe('"Execl Throughput": execl: cannot exec: Permission denied');
    expect(r.aborted?.line).toBe(lines(abortedLog).indexOf('# ERROR: execl: cannot exec: Permission denied') + 1);
  });

  it('an abort in the second pass keeps the first pass', () => {
    const r = parseUnixBench({ report: firstN(B.report, 44), console: 'Run: "Pipe Throughput": broken pipe; aborting\n' }, 'in');
    expect(r.passes).toHaveLength(1);
    expect(r.passes[0]!.index!.score).toBe(1096.3);
    expect(r.aborted?.message).toBe('"Pipe Throughput": broken pipe');
  });

  it('a header-only report with no abort evidence is refused as truncated', () => {
    const e = parseError({ report: header });
    expect(e.message).toContain('expected a pass');
  });
});

describe('unusual but valid output', () => {
  it('a localized "Benchmark Run:" line (LC_ALL=ja_JP.UTF-8)', () => {
    const text = A.report.replace('Benchmark Run: Thu Nov 26 2026 11:01:15 - 11:04:20', 'Benchmark Run: 木 11月 26 2026 11:01:15 - 11:04:20');
    const r = parseUnixBench({ report: text, log: A.log }, 'in');
    expect(r.passes[0]!.runLine).toBe('Benchmark Run: 木 11月 26 2026 11:01:15 - 11:04:20');
    expect(r.passes[0]!.index!.score).toBe(1015.2);
    expect(r.checks.every((c) => c.ok)).toBe(true);
  });

  it('CRLF line ends', () => {
    const r = parseUnixBench({ report: B.report.replace(/\n/g, '\r\n'), log: B.log.replace(/\n/g, '\r\n') }, 'in');
    expect(r.passes.map((p) => p.index!.score)).toEqual([1096.3, 1810.2]);
  });

  it('the empty >16-copy pass with its trailing blank lines trimmed', () => {
    const text = read('runC_q_c17_syscall/vm-2026-11-26-03').trimEnd();
    const r = parseUnixBench({ report: text }, 'in');
    expect(r.passes).toEqual([
      { copies: 17, cpusInSystem: 2, runLine: 'Benchmark Run: Thu Nov 26 2026 11:18:56 - 11:18:56', tests: [], empty: true },
    ]);
  });

  it('a "---" row (a test with no baseline, e.g. Shell Scripts (16 concurrent)) and no CPU details', () => {
    const l = lines(A.report);
    l.splice(6, 4, '   CPU: no details available');
    const text = l
      .join('\n')
      .replace('System Call Overhead                        1618530.6 lps   (10.0 s, 1 samples)\n', (m) => `Shell Scripts (16 concurrent)                   512.5 lpm   (60.0 s, 1 samples)\n${m}`)
      .replace('System Call Overhead                          15000.0', (m) => `Shell Scripts (16 concurrent)                     ---        512.5      ---\n${m}`);
    const r = parseUnixBench({ report: text }, 'in');
    expect(r.system.cpus).toEqual([]);
    expect(r.passes[0]!.index!.unindexed).toEqual([{ name: 'Shell Scripts (16 concurrent)', result: 512.5 }]);
    expect(r.passes[0]!.index!.rows).toHaveLength(8);
    expect(r.passes[0]!.tests).toHaveLength(9);
  });

  it('a printed Index Score that disagrees with its index values is reported, not hidden', () => {
    const r = parseUnixBench({ report: A.report.replace('(Partial Only)                         1015.2', '(Partial Only)                         1015.9') }, 'in');
    const bad = r.checks.filter((c) => !c.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.what).toBe('1 copy: System Benchmarks Index Score (Partial Only)');
    expect(bad[0]!.printed).toBe(1015.9);
    expect(bad[0]!.recomputed).toBeCloseTo(1015.2, 0);
  });
});
