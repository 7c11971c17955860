import { seededRng } from '../src/core/random.js';
import { UNIXBENCH_FIXTURES } from '../test/support/fixtures.js';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { renderReport } from '../src/report/render.js';
import { loadResultSets } from '../src/results/load.js';
import type { ResultDoc, ResultSet } from '../src/results/model.js';

/**
 * Time rendering a report of 1,000 results: tables (terminal, Markdown, HTML, CSV), charts
 * (PNG + SVG) and the PDF. The results are SYNTHETIC: the real fixture results (runB and runD,
 * each a 1-copy and a 2-copy pass) cloned into 10 targets x 100 repetitions with every index
 * value scaled by a per-target factor and seeded log-normal noise, the Index Score recomputed
 * as their geometric mean. 10 targets x 2 passes = 20 columns of 100 repetitions each.
 * Then runs bench/parse.ts (parsing 1,000 UnixBench reports) when it exists.
 */
const FIXTURES = UNIXBENCH_FIXTURES;
const N = Number(process.argv[2] ?? 1000);
const TARGETS = 10;


function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

async function synthesise(): Promise<ResultSet> {
  const bases: ResultDoc[] = [];
  for (const dir of ['runB_i1_c1_c2_index', 'runD_default_full']) bases.push(...(await loadResultSets(join(FIXTURES, dir)))[0]!.results);
  const rand = seededRng(20110706).next;
  const results: ResultDoc[] = [];
  for (let i = 0; i < N; i++) {
    const t = i % TARGETS;
    const doc = structuredClone(bases[t % bases.length]!);
    const factor = 0.6 + 0.08 * t;
    doc.id = `synthetic-${t}-r${Math.floor(i / TARGETS) + 1}`;
    doc.runId = 'synthetic-1000';
    doc.repetition = Math.floor(i / TARGETS) + 1;
    doc.target = { name: `synthetic-${t}`, method: 'host', host: 'synthetic', label: `synthetic target ${t}` };
    for (const pass of doc.unixbench!.passes) {
      if (!pass.index) continue;
      pass.index.rows = pass.index.rows.map((r) => ({ ...r, index: Math.round(r.index * factor * Math.exp(0.03 * gaussian(rand)) * 10) / 10 }));
      const logs = pass.index.rows.map((r) => Math.log(r.index));
      pass.index.score = Math.round(Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length) * 10) / 10;
    }
    results.push(doc);
  }
  return { source: `synthetic: ${N} results cloned from the fixtures with varied values`, name: 'synthetic-1000', results };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const set = await synthesise();
  console.log(`synthesised ${set.results.length} results (SYNTHETIC, from the fixtures) in ${(performance.now() - t0).toFixed(0)} ms`);
  // VIRTBENCH_BENCH_OUT=<dir> keeps the rendered report for a look; default a temp folder.
  const keep = process.env.VIRTBENCH_BENCH_OUT;
  const out = keep ?? (await mkdtemp(join(tmpdir(), 'h2-bench-report-')));
  try {
    for (const run of ['cold (first in process)', 'warm', 'warm']) {
      const start = performance.now();
      const r = await renderReport([set], { outDir: out, colour: false, generatedAt: '2026-01-01T00:00:00Z' });
      const total = performance.now() - start;
      const stages = Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
      console.log(`report of ${set.results.length} results, ${r.comparison.columns.length} columns, ${r.files.length} files: ${total.toFixed(0)} ms ${run} [ms: ${stages}]`);
    }
  } finally {
    if (!keep) await rm(out, { recursive: true, force: true });
  }
  if (existsSync('bench/parse.ts')) {
    console.log('\nbench/parse.ts:');
    const { stdout } = await execa('npx', ['tsx', 'bench/parse.ts', String(N)]);
    console.log(stdout);
  }
}

await main();
