/**
 * The 2011 claims, held against a new run. The slides say "LXC is 20%+ faster than OpenVZ"
 * and "33%+ faster than KVM", computed against LXC: (LXC - X) / LXC. So a claim of g%+ holds
 * when 1 - X/LXC >= g, i.e. the ratio X/LXC <= 1 - g. The published table also orders the
 * methods per test; each ordering is checked pair by adjacent pair.
 *
 * Status, from the Bonferroni-adjusted interval of the run's ratio (the family is every
 * interval this check computes):
 * - holds: the whole interval is on the claimed side;
 * - does not hold: the whole interval is on the other side;
 * - inconclusive: the interval straddles the claimed figure (or one run: noise unknown);
 * - cannot be checked here: a method is missing from the run, or KVM ran emulated (TCG): an
 *   emulated KVM result never supports or refutes a KVM claim.
 */
import type { ResultSet } from '../results/model.js';
import { pairDiff } from './pair-diff.js';
import { ratioInterval, RATIO_METHOD, type LogDifference, type RatioEstimate } from './ratio.js';
import { INDEX_SCORE } from '../workloads/unixbench/catalogue.js';
import { groupsOf, isPublished, repetitionSamples, type Group } from './groups.js';
import { chooseLevel, levelDescription, type SampleLevel } from './samples.js';
import { bonferroniLevel, CORRECTION_METHOD } from './verdict.js';

export type Role = 'lxc' | 'lxc32' | 'openvz' | 'kvm';
export const ROLE_NAMES: Record<Role, string> = { lxc: 'LXC', lxc32: 'LXC 32-bit', openvz: 'OpenVZ', kvm: 'KVM' };

export type ClaimStatus = 'holds' | 'does not hold' | 'inconclusive' | 'cannot be checked here';

export interface PairCheck {
  higher: Role;
  lower: Role;
  /** Run: lower / higher, with its interval. */
  estimate?: RatioEstimate;
  status: ClaimStatus;
  reason: string;
}

export interface ClaimCheck {
  id: string;
  claim: string;
  said2011: string;
  measured: string;
  /** Headline claims: the gap (1 - X/LXC) measured, with its interval, as fractions. */
  gap?: { value: number; lower?: number; upper?: number; claimed: number };
  pairs?: PairCheck[];
  status: ClaimStatus;
  reason: string;
}

export interface Reproduction {
  run: { name: string; source: string };
  reference: { name: string; source: string };
  columns: Partial<Record<Role, { id: string; emulated: boolean; repetitions: number }>>;
  level: string;
  confidence: number;
  familySize: number;
  perComparisonConfidence: number;
  method: string;
  correction: string;
  claims: ClaimCheck[];
  counts: Record<ClaimStatus, number>;
}

/** Which role a column plays: by method for a run, by label for the published table. */
export function roleOf(col: Group): Role | undefined {
  const r = col.results[0];
  const text = `${col.key.label} ${r?.target.name ?? ''}`;
  const arch = r?.manifest?.arch ?? '';
  // The published table may carry method "published": then the label says which column it is.
  const method = col.method === 'published' ? (/kvm/i.test(text) ? 'kvm' : /openvz|virtuozzo/i.test(text) ? 'openvz' : /lxc/i.test(text) ? 'lxc' : undefined) : col.method;
  if (method === 'lxc') return /32-?bit|i[36]86|\bx86\b|lxc32/i.test(text) || /^i[36]86$/.test(arch) ? 'lxc32' : 'lxc';
  if (method === 'openvz' || method === 'kvm') return method;
  return undefined;
}

/** Per role, the column with the most copies (the 2011 table is the all-CPUs pass), or the asked copies. */
export function roleColumns(set: ResultSet, copies?: number): Partial<Record<Role, Group>> {
  const out: Partial<Record<Role, Group>> = {};
  for (const col of groupsOf(set)) {
    const role = roleOf(col);
    if (!role) continue;
    if (copies !== undefined && !isPublished(col) && col.key.copies !== copies) continue;
    const cur = out[role];
    if (!cur || col.key.copies > cur.key.copies || (col.key.copies === cur.key.copies && role === 'kvm' && is2011Kvm(col) && !is2011Kvm(cur))) out[role] = col;
  }
  return out;
}

/** The KVM column of the 2011 conditions (QEMU's default cache mode then, writethrough) over one with today's tuning. */
function is2011Kvm(col: Group): boolean {
  return col.results[0]?.guestFacts?.diskCache === 'writethrough';
}

function published(col: Group | undefined, test: string): number | undefined {
  return col ? repetitionSamples(col).get(test)?.[0] : undefined;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

interface Pending {
  claim: ClaimCheck;
  diffs: { pair?: PairCheck; diff?: LogDifference; note?: string }[];
  finish: (ests: (RatioEstimate | undefined)[]) => void;
}

export function checkClaims(run: ResultSet, reference: ResultSet, opts: { confidence?: number; level?: SampleLevel | 'auto'; copies?: number } = {}): Reproduction {
  const confidence = opts.confidence ?? 0.95;
  const cols = roleColumns(run, opts.copies);
  const ref = roleColumns(reference);
  const levels = new Set<SampleLevel>();
  const diffOf = (lower: Role, higher: Role, test: string) => {
    const a = cols[higher]!;
    const b = cols[lower]!;
    const level = chooseLevel(a, b, opts.level ?? 'auto');
    levels.add(level);
    return pairDiff(a, b, test, level);
  };
  const unusable = (role: Role): string | undefined => {
    if (!cols[role]) return `no ${ROLE_NAMES[role]} result in this run`;
    if (role === 'kvm' && cols.kvm!.emulated) return 'KVM ran emulated (TCG) here: an emulated result never supports or refutes a KVM claim';
    return undefined;
  };
  const pending: Pending[] = [];

  for (const [other, claimed, id] of [['openvz', 0.2, 'lxc-over-openvz'], ['kvm', 0.33, 'lxc-over-kvm']] as const) {
    const refL = published(ref.lxc, INDEX_SCORE);
    const refX = published(ref[other], INDEX_SCORE);
    const claim: ClaimCheck = {
      id,
      claim: `LXC is ${claimed * 100}%+ faster than ${ROLE_NAMES[other]} (Index Score, taken against LXC: (LXC - ${ROLE_NAMES[other]}) / LXC)`,
      said2011: refL && refX ? `LXC ${refL.toFixed(1)}, ${ROLE_NAMES[other]} ${refX.toFixed(1)}: ${ROLE_NAMES[other]} ${pct(1 - refX / refL)} below LXC` : 'the reference set lacks one of the two columns',
      measured: '',
      status: 'cannot be checked here',
      reason: '',
    };
    const why = unusable('lxc') ?? unusable(other);
    if (why) {
      claim.reason = why;
      pending.push({ claim, diffs: [], finish: () => {} });
      continue;
    }
    const { diff, note } = diffOf(other, 'lxc', INDEX_SCORE);
    pending.push({
      claim,
      diffs: [{ diff, note }],
      finish: ([est]) => {
        if (!est) {
          claim.status = 'inconclusive';
          claim.reason = note ?? 'no Index Score';
          return;
        }
        const gap = 1 - est.ratio;
        claim.gap = { value: gap, claimed };
        claim.measured = `${ROLE_NAMES[other]} ${pct(gap)} below LXC`;
        if (!est.interval) {
          claim.status = 'inconclusive';
          claim.reason = 'one run per method: the noise cannot be estimated (repeat the run)';
          return;
        }
        claim.gap.lower = 1 - est.interval.upper;
        claim.gap.upper = 1 - est.interval.lower;
        claim.measured += ` (interval ${pct(claim.gap.lower)} to ${pct(claim.gap.upper)})`;
        if (claim.gap.lower >= claimed) [claim.status, claim.reason] = ['holds', `the whole interval is at or above ${pct(claimed)}`];
        else if (claim.gap.upper < claimed) [claim.status, claim.reason] = ['does not hold', `the whole interval is below ${pct(claimed)}`];
        else [claim.status, claim.reason] = ['inconclusive', `the interval straddles ${pct(claimed)}`];
      },
    });
  }

  const tests = ref.lxc?.tests ?? Object.values(ref).find((c) => c)?.tests ?? [];
  for (const test of [...tests, INDEX_SCORE]) {
    const order = (Object.keys(ref) as Role[]).filter((r) => published(ref[r], test) !== undefined).sort((a, b) => published(ref[b], test)! - published(ref[a], test)!);
    const claim: ClaimCheck = {
      id: `order:${test}`,
      claim: `${test}: ${order.map((r) => ROLE_NAMES[r]).join(' > ')}`,
      said2011: order.map((r) => `${ROLE_NAMES[r]} ${published(ref[r], test)!.toFixed(1)}`).join(', '),
      measured: '',
      status: 'cannot be checked here',
      reason: '',
    };
    const present = order.filter((r) => !unusable(r));
    const missing = order.filter((r) => unusable(r)).map((r) => unusable(r)!);
    // What is checked is the 2011 ordering restricted to the methods this run can speak for.
    if (present.length < order.length && present.length >= 2) {
      claim.claim = `${test}: ${present.map((r) => ROLE_NAMES[r]).join(' > ')} (2011 order: ${order.map((r) => ROLE_NAMES[r]).join(' > ')})`;
    }
    if (present.length < 2) {
      claim.reason = missing.join('; ') || 'fewer than two methods';
      pending.push({ claim, diffs: [], finish: () => {} });
      continue;
    }
    const pairs: PairCheck[] = [];
    const diffs = present.slice(1).map((lower, i) => {
      const pair: PairCheck = { higher: present[i]!, lower, status: 'inconclusive', reason: '' };
      pairs.push(pair);
      return { pair, ...diffOf(lower, present[i]!, test) };
    });
    claim.pairs = pairs;
    pending.push({
      claim,
      diffs,
      finish: (ests) => {
        ests.forEach((est, i) => {
          const pair = pairs[i]!;
          pair.estimate = est;
          if (!est) [pair.status, pair.reason] = ['inconclusive', diffs[i]!.note ?? 'not measured'];
          else if (!est.interval) [pair.status, pair.reason] = ['inconclusive', 'one run per method: the noise cannot be estimated'];
          else if (est.interval.upper < 1) [pair.status, pair.reason] = ['holds', 'significantly lower'];
          else if (est.interval.lower > 1) [pair.status, pair.reason] = ['does not hold', 'significantly higher'];
          else [pair.status, pair.reason] = ['inconclusive', 'the interval includes equality'];
        });
        claim.measured = pairs.map((p) => `${ROLE_NAMES[p.lower]}/${ROLE_NAMES[p.higher]} ${p.estimate ? p.estimate.ratio.toFixed(3) : '-'}${p.estimate?.interval ? ` [${p.estimate.interval.lower.toFixed(3)}, ${p.estimate.interval.upper.toFixed(3)}]` : ''}`).join('; ');
        if (pairs.some((p) => p.status === 'does not hold')) claim.status = 'does not hold';
        else if (pairs.every((p) => p.status === 'holds')) claim.status = 'holds';
        else claim.status = 'inconclusive';
        const same = pairs.every((p) => p.status === pairs[0]!.status && p.reason === pairs[0]!.reason);
        claim.reason = same
          ? `every pair: ${pairs[0]!.status} (${pairs[0]!.reason})`
          : pairs.map((p) => `${ROLE_NAMES[p.higher]} > ${ROLE_NAMES[p.lower]}: ${p.status} (${p.reason})`).join('; ');
        if (missing.length) claim.reason += `; only the methods present were checked: ${missing.join('; ')}`;
      },
    });
  }

  const familySize = pending.reduce((s, p) => s + p.diffs.filter((d) => d.diff && Number.isFinite(d.diff.se)).length, 0);
  const level = bonferroniLevel(confidence, familySize);
  for (const p of pending) p.finish(p.diffs.map((d) => (d.diff ? ratioInterval(d.diff, level) : undefined)));
  const counts: Record<ClaimStatus, number> = { holds: 0, 'does not hold': 0, inconclusive: 0, 'cannot be checked here': 0 };
  for (const p of pending) counts[p.claim.status]++;
  return {
    run: { name: run.name, source: run.source },
    reference: { name: reference.name, source: reference.source },
    columns: Object.fromEntries(Object.entries(cols).map(([r, c]) => [r, { id: c.id, emulated: c.emulated, repetitions: c.results.length }])),
    level: [...levels].map(levelDescription).join('; ') || 'none',
    confidence,
    familySize,
    perComparisonConfidence: level,
    method: RATIO_METHOD,
    correction: CORRECTION_METHOD,
    claims: pending.map((p) => p.claim),
    counts,
  };
}
