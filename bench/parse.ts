import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUnixBench } from '../src/workloads/unixbench/parse.js';

/**
 * Time parsing 1,000 UnixBench 5.1.3 reports with their .log (report + log parsed, every score
 * recomputed and checked), cycling through the shipped fixtures. Prints ms per report.
 */
const FIX = 'test/fixtures/unixbench';
const inputs = [
  ['runA_i1_c1_subset', 'vm-2026-11-26-01'],
  ['runB_i1_c1_c2_index', 'vm-2026-11-26-02'],
  ['runD_default_full', 'vm-2026-11-26-01'],
].map(([dir, name]) => ({
  name: `${dir}/${name}`,
  report: readFileSync(join(FIX, dir!, name!), 'utf8'),
  log: readFileSync(join(FIX, dir!, `${name}.log`), 'utf8'),
}));

const N = Number(process.argv[2] ?? 1000);
for (let i = 0; i < 50; i++) parseUnixBench(inputs[i % inputs.length]!, 'warmup');

const perInput = inputs.map(() => ({ n: 0, ms: 0 }));
let checks = 0;
const start = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  const k = i % inputs.length;
  const t0 = process.hrtime.bigint();
  const r = parseUnixBench(inputs[k]!, inputs[k]!.name);
  perInput[k]!.ms += Number(process.hrtime.bigint() - t0) / 1e6;
  perInput[k]!.n++;
  checks += r.checks.length;
}
const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
console.log(`parsed ${N} UnixBench reports (report + .log, ${checks} checks) in ${totalMs.toFixed(0)} ms: ${(totalMs / N).toFixed(3)} ms per report`);
inputs.forEach((inp, k) => {
  const kb = (inp.report.length + inp.log.length) / 1024;
  console.log(`  ${inp.name} (${kb.toFixed(0)} KiB): ${(perInput[k]!.ms / perInput[k]!.n).toFixed(3)} ms`);
});
