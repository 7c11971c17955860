import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUnixBench } from '../../src/workloads/unixbench/parse.js';
import { parseLog } from '../../src/workloads/unixbench/parse-log.js';

/**
 * The parser against every shipped fixture (real UnixBench 5.1.3 output). Every expected number
 * below is copied from the fixture files, not computed by the test.
 */
// A copy of ../shared/fixtures/unixbench, shipped so the tests run on a fresh clone.
const FIXTURES = 'test/fixtures/unixbench';
const read = (dir: string, name: string): string => readFileSync(join(FIXTURES, dir, name), 'utf8');

type TestLine = [string, number, string, number, number];
type IndexLine = [string, number, number, number];
interface ExpectedPass {
  copies: number;
  cpus: number;
  score: number | null;
  partial: boolean | null;
  tests: TestLine[];
  index: IndexLine[];
}
interface Expected {
  dir: string;
  report: string;
  passes: ExpectedPass[];
  /** [test, copies, ">>>> score:", ">>>> iterations:"] from the .log. */
  log: [string, number, number, number][];
}

const EXPECTED: Expected[] = [
  {
    dir: 'runA_i1_c1_subset',
    report: 'vm-2026-11-26-01',
    passes: [
  { copies: 1, cpus: 2, score: 1015.2, partial: true,
    tests: [
      ['Dhrystone 2 using register variables', 28449308.6, 'lps', 10.0, 1],
      ['Double-Precision Whetstone', 6472.8, 'MWIPS', 9.8, 1],
      ['Execl Throughput', 1627.1, 'lps', 29.6, 1],
      ['File Copy 1024 bufsize 2000 maxblocks', 1045700.0, 'KBps', 30.0, 1],
      ['Pipe Throughput', 1833058.1, 'lps', 10.0, 1],
      ['Pipe-based Context Switching', 192694.1, 'lps', 10.0, 1],
      ['Process Creation', 6472.2, 'lps', 30.0, 1],
      ['System Call Overhead', 1618530.6, 'lps', 10.0, 1]],
    index: [
      ['Dhrystone 2 using register variables', 116700.0, 28449308.6, 2437.8],
      ['Double-Precision Whetstone', 55.0, 6472.8, 1176.9],
      ['Execl Throughput', 43.0, 1627.1, 378.4],
      ['File Copy 1024 bufsize 2000 maxblocks', 3960.0, 1045700.0, 2640.7],
      ['Pipe Throughput', 12440.0, 1833058.1, 1473.5],
      ['Pipe-based Context Switching', 4000.0, 192694.1, 481.7],
      ['Process Creation', 126.0, 6472.2, 513.7],
      ['System Call Overhead', 15000.0, 1618530.6, 1079.0]] },
    ],
    log: [
      ['Dhrystone 2 using register variables', 1, 28449308.5788002, 1],
      ['Double-Precision Whetstone', 1, 6472.781, 1],
      ['Execl Throughput', 1, 1627.05628481865, 1],
      ['File Copy 1024 bufsize 2000 maxblocks', 1, 1045700, 1],
      ['Pipe Throughput', 1, 1833058.06937972, 1],
      ['Pipe-based Context Switching', 1, 192694.132495343, 1],
      ['Process Creation', 1, 6472.20164047369, 1],
      ['System Call Overhead', 1, 1618530.57770665, 1],
    ],
  },
  {
    dir: 'runB_i1_c1_c2_index',
    report: 'vm-2026-11-26-02',
    passes: [
  { copies: 1, cpus: 2, score: 1096.3, partial: false,
    tests: [
      ['Dhrystone 2 using register variables', 36139476.2, 'lps', 10.0, 1],
      ['Double-Precision Whetstone', 6421.5, 'MWIPS', 9.7, 1],
      ['Execl Throughput', 2163.2, 'lps', 29.7, 1],
      ['File Copy 1024 bufsize 2000 maxblocks', 887539.0, 'KBps', 30.0, 1],
      ['File Copy 256 bufsize 500 maxblocks', 266453.0, 'KBps', 30.0, 1],
      ['File Copy 4096 bufsize 8000 maxblocks', 2656682.0, 'KBps', 30.0, 1],
      ['Pipe Throughput', 1471947.4, 'lps', 10.0, 1],
      ['Pipe-based Context Switching', 91371.6, 'lps', 10.0, 1],
      ['Process Creation', 4519.5, 'lps', 30.0, 1],
      ['Shell Scripts (1 concurrent)', 4081.6, 'lpm', 60.0, 1],
      ['Shell Scripts (8 concurrent)', 1027.8, 'lpm', 60.1, 1],
      ['System Call Overhead', 940372.8, 'lps', 10.0, 1]],
    index: [
      ['Dhrystone 2 using register variables', 116700.0, 36139476.2, 3096.8],
      ['Double-Precision Whetstone', 55.0, 6421.5, 1167.5],
      ['Execl Throughput', 43.0, 2163.2, 503.1],
      ['File Copy 1024 bufsize 2000 maxblocks', 3960.0, 887539.0, 2241.3],
      ['File Copy 256 bufsize 500 maxblocks', 1655.0, 266453.0, 1610.0],
      ['File Copy 4096 bufsize 8000 maxblocks', 5800.0, 2656682.0, 4580.5],
      ['Pipe Throughput', 12440.0, 1471947.4, 1183.2],
      ['Pipe-based Context Switching', 4000.0, 91371.6, 228.4],
      ['Process Creation', 126.0, 4519.5, 358.7],
      ['Shell Scripts (1 concurrent)', 42.4, 4081.6, 962.6],
      ['Shell Scripts (8 concurrent)', 6.0, 1027.8, 1713.0],
      ['System Call Overhead', 15000.0, 940372.8, 626.9]] },
  { copies: 2, cpus: 2, score: 1810.2, partial: false,
    tests: [
      ['Dhrystone 2 using register variables', 29153166.5, 'lps', 10.0, 1],
      ['Double-Precision Whetstone', 12888.8, 'MWIPS', 9.8, 1],
      ['Execl Throughput', 1976.1, 'lps', 29.9, 1],
      ['File Copy 1024 bufsize 2000 maxblocks', 997298.0, 'KBps', 30.0, 1],
      ['File Copy 256 bufsize 500 maxblocks', 351218.0, 'KBps', 30.0, 1],
      ['File Copy 4096 bufsize 8000 maxblocks', 3659413.0, 'KBps', 30.0, 1],
      ['Pipe Throughput', 2472911.8, 'lps', 10.0, 1],
      ['Pipe-based Context Switching', 727842.7, 'lps', 10.0, 1],
      ['Process Creation', 9316.3, 'lps', 30.0, 1],
      ['Shell Scripts (1 concurrent)', 8064.5, 'lpm', 60.0, 1],
      ['Shell Scripts (8 concurrent)', 1421.0, 'lpm', 60.0, 1],
      ['System Call Overhead', 1698908.6, 'lps', 10.0, 1]],
    index: [
      ['Dhrystone 2 using register variables', 116700.0, 29153166.5, 2498.1],
      ['Double-Precision Whetstone', 55.0, 12888.8, 2343.4],
      ['Execl Throughput', 43.0, 1976.1, 459.6],
      ['File Copy 1024 bufsize 2000 maxblocks', 3960.0, 997298.0, 2518.4],
      ['File Copy 256 bufsize 500 maxblocks', 1655.0, 351218.0, 2122.2],
      ['File Copy 4096 bufsize 8000 maxblocks', 5800.0, 3659413.0, 6309.3],
      ['Pipe Throughput', 12440.0, 2472911.8, 1987.9],
      ['Pipe-based Context Switching', 4000.0, 727842.7, 1819.6],
      ['Process Creation', 126.0, 9316.3, 739.4],
      ['Shell Scripts (1 concurrent)', 42.4, 8064.5, 1902.0],
      ['Shell Scripts (8 concurrent)', 6.0, 1421.0, 2368.3],
      ['System Call Overhead', 15000.0, 1698908.6, 1132.6]] },
    ],
    log: [
      ['Dhrystone 2 using register variables', 1, 36139476.1571822, 1],
      ['Double-Precision Whetstone', 1, 6421.467, 1],
      ['Execl Throughput', 1, 2163.22330057387, 1],
      ['File Copy 1024 bufsize 2000 maxblocks', 1, 887539, 1],
      ['File Copy 256 bufsize 500 maxblocks', 1, 266453, 1],
      ['File Copy 4096 bufsize 8000 maxblocks', 1, 2656682, 1],
      ['Pipe Throughput', 1, 1471947.36388792, 1],
      ['Pipe-based Context Switching', 1, 91371.5672864541, 1],
      ['Process Creation', 1, 4519.50064356497, 1],
      ['System Call Overhead', 1, 940372.768291941, 1],
      ['Shell Scripts (1 concurrent)', 1, 4081.60170370041, 1],
      ['Shell Scripts (8 concurrent)', 1, 1027.80233619771, 1],
      ['Dhrystone 2 using register variables', 2, 29153166.4824839, 1],
      ['Double-Precision Whetstone', 2, 12888.787, 1],
      ['Execl Throughput', 2, 1976.11957101091, 1],
      ['File Copy 1024 bufsize 2000 maxblocks', 2, 997298.000000001, 1],
      ['File Copy 256 bufsize 500 maxblocks', 2, 351218, 1],
      ['File Copy 4096 bufsize 8000 maxblocks', 2, 3659413, 1],
      ['Pipe Throughput', 2, 2472911.79358823, 1],
      ['Pipe-based Context Switching', 2, 727842.708001425, 1],
      ['Process Creation', 2, 9316.33943518792, 1],
      ['System Call Overhead', 2, 1698908.59740626, 1],
      ['Shell Scripts (1 concurrent)', 2, 8064.48380983971, 1],
      ['Shell Scripts (8 concurrent)', 2, 1420.96741850116, 1],
    ],
  },
  {
    dir: 'runC_q_c17_syscall',
    report: 'vm-2026-11-26-03',
    passes: [
  { copies: 17, cpus: 2, score: null, partial: null,
    tests: [],
    index: [] },
    ],
    log: [

    ],
  },
  {
    dir: 'runD_default_full',
    report: 'vm-2026-11-26-01',
    passes: [
  { copies: 1, cpus: 2, score: 1481.2, partial: false,
    tests: [
      ['Dhrystone 2 using register variables', 39181568.3, 'lps', 10.0, 7],
      ['Double-Precision Whetstone', 6474.5, 'MWIPS', 9.8, 7],
      ['Execl Throughput', 2398.1, 'lps', 30.0, 2],
      ['File Copy 1024 bufsize 2000 maxblocks', 1410421.1, 'KBps', 30.0, 2],
      ['File Copy 256 bufsize 500 maxblocks', 416556.8, 'KBps', 30.0, 2],
      ['File Copy 4096 bufsize 8000 maxblocks', 3455313.6, 'KBps', 30.0, 2],
      ['Pipe Throughput', 2123846.6, 'lps', 10.0, 7],
      ['Pipe-based Context Switching', 86279.9, 'lps', 10.0, 7],
      ['Process Creation', 6212.8, 'lps', 30.0, 2],
      ['Shell Scripts (1 concurrent)', 8065.8, 'lpm', 60.0, 2],
      ['Shell Scripts (8 concurrent)', 1526.4, 'lpm', 60.0, 2],
      ['System Call Overhead', 1617456.8, 'lps', 10.0, 7]],
    index: [
      ['Dhrystone 2 using register variables', 116700.0, 39181568.3, 3357.5],
      ['Double-Precision Whetstone', 55.0, 6474.5, 1177.2],
      ['Execl Throughput', 43.0, 2398.1, 557.7],
      ['File Copy 1024 bufsize 2000 maxblocks', 3960.0, 1410421.1, 3561.7],
      ['File Copy 256 bufsize 500 maxblocks', 1655.0, 416556.8, 2517.0],
      ['File Copy 4096 bufsize 8000 maxblocks', 5800.0, 3455313.6, 5957.4],
      ['Pipe Throughput', 12440.0, 2123846.6, 1707.3],
      ['Pipe-based Context Switching', 4000.0, 86279.9, 215.7],
      ['Process Creation', 126.0, 6212.8, 493.1],
      ['Shell Scripts (1 concurrent)', 42.4, 8065.8, 1902.3],
      ['Shell Scripts (8 concurrent)', 6.0, 1526.4, 2544.0],
      ['System Call Overhead', 15000.0, 1617456.8, 1078.3]] },
  { copies: 2, cpus: 2, score: 3028.5, partial: false,
    tests: [
      ['Dhrystone 2 using register variables', 78190055.5, 'lps', 10.0, 7],
      ['Double-Precision Whetstone', 12914.9, 'MWIPS', 9.6, 7],
      ['Execl Throughput', 5461.6, 'lps', 30.0, 2],
      ['File Copy 1024 bufsize 2000 maxblocks', 1996671.1, 'KBps', 30.0, 2],
      ['File Copy 256 bufsize 500 maxblocks', 608946.5, 'KBps', 30.0, 2],
      ['File Copy 4096 bufsize 8000 maxblocks', 5055839.0, 'KBps', 30.0, 2],
      ['Pipe Throughput', 4878265.6, 'lps', 10.0, 7],
      ['Pipe-based Context Switching', 733244.5, 'lps', 10.0, 7],
      ['Process Creation', 17032.5, 'lps', 30.0, 2],
      ['Shell Scripts (1 concurrent)', 15330.9, 'lpm', 60.0, 2],
      ['Shell Scripts (8 concurrent)', 1731.5, 'lpm', 60.0, 2],
      ['System Call Overhead', 2725127.0, 'lps', 10.0, 7]],
    index: [
      ['Dhrystone 2 using register variables', 116700.0, 78190055.5, 6700.1],
      ['Double-Precision Whetstone', 55.0, 12914.9, 2348.2],
      ['Execl Throughput', 43.0, 5461.6, 1270.1],
      ['File Copy 1024 bufsize 2000 maxblocks', 3960.0, 1996671.1, 5042.1],
      ['File Copy 256 bufsize 500 maxblocks', 1655.0, 608946.5, 3679.4],
      ['File Copy 4096 bufsize 8000 maxblocks', 5800.0, 5055839.0, 8717.0],
      ['Pipe Throughput', 12440.0, 4878265.6, 3921.4],
      ['Pipe-based Context Switching', 4000.0, 733244.5, 1833.1],
      ['Process Creation', 126.0, 17032.5, 1351.8],
      ['Shell Scripts (1 concurrent)', 42.4, 15330.9, 3615.8],
      ['Shell Scripts (8 concurrent)', 6.0, 1731.5, 2885.8],
      ['System Call Overhead', 15000.0, 2725127.0, 1816.8]] },
    ],
    log: [
      ['Dhrystone 2 using register variables', 1, 39181568.2816258, 7],
      ['Double-Precision Whetstone', 1, 6474.48065606007, 7],
      ['Execl Throughput', 1, 2398.10093794758, 2],
      ['File Copy 1024 bufsize 2000 maxblocks', 1, 1410421.0649058, 2],
      ['File Copy 256 bufsize 500 maxblocks', 1, 416556.827899867, 2],
      ['File Copy 4096 bufsize 8000 maxblocks', 1, 3455313.63460236, 2],
      ['Pipe Throughput', 1, 2123846.61828974, 7],
      ['Pipe-based Context Switching', 1, 86279.9363435835, 7],
      ['Process Creation', 1, 6212.83539662929, 2],
      ['System Call Overhead', 1, 1617456.75118586, 7],
      ['Shell Scripts (1 concurrent)', 1, 8065.81603351621, 2],
      ['Shell Scripts (8 concurrent)', 1, 1526.37755444313, 2],
      ['Dhrystone 2 using register variables', 2, 78190055.5036543, 7],
      ['Double-Precision Whetstone', 2, 12914.8661227143, 7],
      ['Execl Throughput', 2, 5461.59367991103, 2],
      ['File Copy 1024 bufsize 2000 maxblocks', 2, 1996671.06527239, 2],
      ['File Copy 256 bufsize 500 maxblocks', 2, 608946.4940239, 2],
      ['File Copy 4096 bufsize 8000 maxblocks', 2, 5055839.01373332, 2],
      ['Pipe Throughput', 2, 4878265.55000754, 7],
      ['Pipe-based Context Switching', 2, 733244.516375068, 7],
      ['Process Creation', 2, 17032.4861903992, 2],
      ['System Call Overhead', 2, 2725126.9806054, 7],
      ['Shell Scripts (1 concurrent)', 2, 15330.8862386293, 2],
      ['Shell Scripts (8 concurrent)', 2, 1731.50487363788, 2],
    ],
  },
];

const SYSTEM = {
  hostname: 'vm',
  system: 'GNU/Linux',
  os: 'GNU/Linux',
  kernelRelease: '6.18.44-fc-v657',
  kernelVersion: '#1 SMP PREEMPT_DYNAMIC @0',
  machine: 'x86_64',
  platform: 'unknown',
  language: 'en_US.utf8 (charmap="ANSI_X3.4-1968", collate="ANSI_X3.4-1968")',
};
const CPU_FEATURES = ['Hyper-Threading', 'x86-64', 'MMX', 'Physical Address Ext', 'SYSENTER/SYSEXIT', 'SYSCALL/SYSRET'];

describe.each(EXPECTED)('UnixBench fixture $dir', (fx) => {
  const report = read(fx.dir, fx.report);
  const log = fx.log.length > 0 ? read(fx.dir, `${fx.report}.log`) : undefined;
  const consoleText = read(fx.dir, 'console.stdout.txt');
  const parsed = parseUnixBench({ report, log, console: consoleText }, `${fx.dir}/${fx.report}`);

  it('reads the header', () => {
    expect(parsed.version).toBe('5.1.3');
    expect(parsed.system).toMatchObject(SYSTEM);
    expect(parsed.system.cpus).toEqual([
      { index: 0, model: 'Intel(R) Xeon(R) Processor', bogomips: 4200.0, features: CPU_FEATURES },
      { index: 1, model: 'Intel(R) Xeon(R) Processor', bogomips: 4200.0, features: CPU_FEATURES },
    ]);
    expect(parsed.aborted).toBeUndefined();
  });

  it('reads every pass, test and index row as printed', () => {
    expect(parsed.passes).toHaveLength(fx.passes.length);
    fx.passes.forEach((want, i) => {
      const got = parsed.passes[i]!;
      expect(got.copies).toBe(want.copies);
      expect(got.cpusInSystem).toBe(want.cpus);
      expect(got.runLine).toMatch(/^Benchmark Run: Thu Nov 26 2026 \d\d:\d\d:\d\d - \d\d:\d\d:\d\d$/);
      expect(got.tests.map((t) => [t.name, t.value, t.unit, t.seconds, t.samples])).toEqual(want.tests);
      expect(got.empty).toBe(want.tests.length === 0);
      if (want.score === null) {
        expect(got.index).toBeUndefined();
      } else {
        expect(got.index!.score).toBe(want.score);
        expect(got.index!.partial).toBe(want.partial);
        expect(got.index!.rows.map((r) => [r.name, r.baseline, r.result, r.index])).toEqual(want.index);
      }
    });
  });

  it('reads the .log: every test, its printed score and the passes kept', () => {
    if (fx.log.length === 0) {
      expect(parsed.log).toBeUndefined();
      return;
    }
    expect(parsed.log!.tests.map((t) => [t.name, t.copies, t.printedScore, t.printedIterations])).toEqual(fx.log);
  });

  it('recomputes every score and index, and they agree with the printed figures', () => {
    const bad = parsed.checks.filter((c) => !c.ok);
    expect(bad).toEqual([]);
    const indexed = fx.passes.filter((p) => p.score !== null).length;
    // Per test: .log score, report score, samples, index, index-table result; per table: 2 Index Score checks.
    const perTest = fx.passes.reduce((n, p) => n + p.tests.length, 0);
    expect(parsed.checks.length).toBe(fx.log.length > 0 ? perTest * 5 + indexed * 2 : 0);
    for (const t of parsed.log?.tests ?? []) {
      expect(Math.abs(t.recomputedScore - t.printedScore) / t.printedScore).toBeLessThan(1e-12);
    }
  });

  it('parses the same report out of the console output alone', () => {
    const fromConsole = parseUnixBench({ report: '', console: consoleText }, fx.dir);
    expect(fromConsole.passes).toEqual(parsed.passes);
    expect(fromConsole.system).toEqual(parsed.system);
  });
});

describe('the worst-third rule on real .log files', () => {
  it('drops the passes Run itself dumped ("*Dump score" lines): the lowest COUNT0, not the lowest rate', () => {
    const text = read('runD_default_full', 'vm-2026-11-26-01.log');
    const log = parseLog(text, 'runD.log');
    expect(log.tests).toHaveLength(24);
    let dumpedTotal = 0;
    for (const t of log.tests) {
      const n = t.passes!.length;
      const sorted = t.passes!.map((p) => p.count).sort((a, b) => a - b);
      // "*Dump score: %12.1f" of COUNT0.
      expect(t.dumpedCounts).toEqual(sorted.slice(0, Math.floor(n / 3)).map((c) => Number(c.toFixed(1))));
      expect(t.printedIterations).toBe(n - Math.floor(n / 3));
      dumpedTotal += t.dumpedCounts.length;
    }
    // 10 passes of 5 tests and 3 passes of 7 tests, in each of the two copies passes.
    expect(dumpedTotal).toBe(2 * (5 * 3 + 7 * 1));
    const dhry = log.tests[0]!;
    expect(dhry.dumpedCounts).toEqual([344236270.0, 349860549.0, 357812096.0]);
    expect(dhry.printedScore).toBe(39181568.2816258);
    expect(dhry.printedTime).toBe(10.0026651428571);
  });

  it('sums the copies of a 2-copy pass as Run does', () => {
    const log = parseLog(read('runB_i1_c1_c2_index', 'vm-2026-11-26-02.log'), 'runB.log');
    const dhry2 = log.tests.find((t) => t.copies === 2 && t.name === 'Dhrystone 2 using register variables')!;
    // "# COUNT0: 145070538" + "# COUNT0: 146765413", elapsed 10.012250 and 10.008625.
    expect(dhry2.passes).toEqual([{ count: 145070538 + 146765413, timebase: 1, unit: 'lps', time: (10.01225 + 10.008625) / 2 }]);
    expect(dhry2.printedScore).toBe(29153166.4824839);
    expect(Math.abs(dhry2.recomputedScore - 29153166.4824839)).toBeLessThan(1e-6);
  });
});
