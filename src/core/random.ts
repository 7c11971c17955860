/**
 * A seeded pseudo-random generator, so that every simulation (the verdict-rate and coverage
 * checks in the tests, the `bench` figures) gives the same numbers on every machine.
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32; normal deviates by Box-Muller.
 */
export interface Rng {
  /** Uniform on [0, 1). */
  next(): number;
  normal(): number;
  /** Log-normal sample with the given median and coefficient of variation (approximately sd/mean). */
  logNormal(median: number, cv: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function seededRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init(), b = init(), c = init(), d = init();
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const nextU32 = () => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a; d ^= b; b ^= c; a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  let spare: number | null = null;
  const next = () => nextU32() / 4294967296;
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  // For a log-normal, sd/mean = sqrt(exp(s^2) - 1), so s = sqrt(ln(1 + cv^2)).
  const logNormal = (median: number, cv: number) => median * Math.exp(Math.sqrt(Math.log1p(cv * cv)) * normal());
  return { next, normal, logNormal };
}
