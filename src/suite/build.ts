/** Turns validated suite data into a RunPlan: defaults filled, paths absolute, hosts resolved. */
import type { Limits, SshTargetAddress, TargetSpec, UnixBenchOptions } from '../core/targets.js';
import { descriptorOf } from '../providers/registry.js';
import { knownHostKey } from '../remote/known-hosts.js';
import { lookupSshAlias } from '../remote/ssh-config.js';
import type { PlannedTarget, PlannedWorkload, RunPlan, SuiteHost } from './plan.js';
import { durationMinutes, type RawSuite, type RawTarget } from './schema.js';
import { SHORT_PROFILE } from './short-profile.js';

/** Turns validated suite data into a RunPlan: defaults filled, paths absolute, hosts resolved. */
export function buildPlan(
  suite: RawSuite,
  targets: RawTarget[],
  ctx: { file: string; defaultName: string; resolvePath: (p: string) => string; lineOf: (i: number) => number | undefined },
): RunPlan {
  const hosts: SuiteHost[] = [{ name: 'local', kind: 'local' }];
  for (const [name, h] of Object.entries(suite.hosts ?? {})) {
    if (name === 'local' || h === null) continue;
    hosts.push({ name, kind: 'remote', ssh: remoteAddress(h, ctx.resolvePath) });
  }
  const planned = targets.map((t, i): PlannedTarget => ({
    spec: toSpec(t, hosts, ctx.resolvePath),
    label: t.label ?? t.name,
    cpusFromHost: descriptorOf(t.method).cpusFromHost?.(t) ?? false,
    line: ctx.lineOf(i),
  }));
  // Hosts no target uses are dropped: the runner would otherwise connect to them for nothing.
  const used = new Set(planned.map((p) => p.spec.host));
  return {
    suiteFile: ctx.file,
    name: suite.name ?? ctx.defaultName.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 31),
    description: suite.description,
    hosts: hosts.filter((h) => used.has(h.name)),
    targets: planned,
    workload: workload(suite.workload.unixbench),
    ...repetitionsOf(suite.repetitions),
    ...(suite.kernels ? { kernels: { ...suite.kernels, releases: [...suite.kernels.releases] } } : {}),
    order: { mode: suite.order, seed: suite.seed },
  };
}

/** A remote host's address: the suite's fields first, then its ~/.ssh/config alias, then root@:22. */
export function remoteAddress(h: NonNullable<NonNullable<RawSuite['hosts']>[string]>, resolvePath: (p: string) => string): SshTargetAddress {
  const alias = h.alias === undefined ? undefined : lookupSshAlias(h.alias);
  if (alias && !alias.ok) throw new Error(alias.message); // checkPlan reported it with its line already
  const c = alias?.ok ? alias.host : undefined;
  const address = h.address ?? c!.hostName;
  const port = h.port ?? c?.port ?? 22;
  const privateKeyPath = h.key !== undefined ? resolvePath(h.key) : c?.identityFile;
  // Like ssh itself, a host named by its alias is pinned to the key known_hosts has for it.
  const hostKey = h.hostKey ?? (c && !h.trustOnFirstUse ? knownHostKey(address, port, c.userKnownHostsFile) : undefined);
  return {
    address,
    port,
    user: h.user ?? c?.user ?? 'root',
    ...(privateKeyPath !== undefined ? { privateKeyPath } : {}),
    ...(hostKey !== undefined ? { hostKey } : {}),
    trustOnFirstUse: h.trustOnFirstUse,
    ...(h.alias !== undefined ? { alias: h.alias } : {}),
  };
}

function workload(ub: RawSuite['workload']['unixbench']): PlannedWorkload {
  const base = ub.profile === 'short' ? SHORT_PROFILE : {};
  const options: UnixBenchOptions = { locale: ub.locale, version: ub.version, allowOtherVersion: ub.allowOtherVersion };
  const iterations = ub.iterations ?? (base as { iterations?: number }).iterations;
  const copies = ub.copies ?? (base as { copies?: readonly number[] }).copies;
  const tests = ub.tests ?? (base as { tests?: readonly string[] }).tests;
  if (iterations !== undefined) options.iterations = iterations;
  if (copies !== undefined) options.copies = [...copies];
  if (tests !== undefined) options.tests = [...tests];
  const overridden = ub.iterations !== undefined || ub.copies !== undefined || ub.tests !== undefined;
  return { name: 'unixbench', profile: overridden ? 'custom' : ub.profile, options };
}

function limitsOf(l: RawTarget['limits']): Limits {
  const out: Limits = {};
  for (const [k, v] of Object.entries(l)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** The target as its method's TargetSpec: the fields all targets share here, the rest by its descriptor. */
function toSpec(t: RawTarget, hosts: SuiteHost[], resolvePath: (p: string) => string): TargetSpec {
  const remote = hosts.find((h) => h.name === t.host)?.ssh;
  return descriptorOf(t.method).toSpec(t, { name: t.name, host: t.host, limits: limitsOf(t.limits) }, { ...(remote ? { remote } : {}), resolvePath });
}

function repetitionsOf(r: RawSuite['repetitions']): Pick<RunPlan, 'repetitions' | 'adaptive'> {
  if (typeof r === 'number') return { repetitions: r };
  const budgetMinutes = r.budget === undefined ? undefined : durationMinutes(r.budget);
  return { repetitions: r.min, adaptive: { min: r.min, max: r.max, until: r.until, ...(budgetMinutes !== undefined ? { budgetMinutes } : {}) } };
}
