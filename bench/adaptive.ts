/**
 * Adaptive repetitions against fixed ones, on synthetic (seeded) data: error rate with no
 * change, power against a 2% and a 5% drop, rounds used. Prints the README's table.
 *   npm run bench:adaptive [-- --trials 2000 --cv 0.01]
 */
import { adaptiveTrial, fixedTrial, simulate, type Scenario } from '../test/support/sequential-sim.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const trials = arg('trials', 2000);
const cv = arg('cv', 0.01);
const min = arg('min', 3);
const max = arg('max', 10);
const design = { min, max, confidence: 0.95, threshold: 0.02 };

const scenarios: [string, Scenario][] = [
  ['no change', { ratio: 1, cv }],
  ['2% drop', { ratio: 0.98, cv }],
  ['5% drop', { ratio: 0.95, cv }],
];
const designs: [string, (s: Scenario) => Parameters<typeof simulate>[0]][] = [
  ['fixed 5', (s) => (rng) => fixedTrial(rng, s, 5)],
  ['fixed 10', (s) => (rng) => fixedTrial(rng, s, 10)],
  [`until decided (min ${min}, max ${max})`, (s) => (rng) => adaptiveTrial(rng, s, design)],
];

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(`13 ratios (12 tests + Index Score), run-to-run CV ${pct(cv)}, threshold 2%, 95% family-wise; ${trials} seeded trials each\n`);
console.log('| design | true change | wrong verdict (any, per trial) | tests called regressed | all 13 decided | mean rounds |');
console.log('|---|---|---:|---:|---:|---:|');
let seed = 1;
for (const [dname, make] of designs) {
  for (const [sname, s] of scenarios) {
    const f = simulate(make(s), s, trials, seed++);
    console.log(`| ${dname} | ${sname} | ${pct(f.wrong)} | ${sname === 'no change' ? '-' : pct(f.regressed)} | ${pct(f.allDecided)} | ${f.meanRounds.toFixed(2)} |`);
  }
}
