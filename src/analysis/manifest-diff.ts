/**
 * Differences between the environments of two columns, other than the one being compared.
 * A kernel comparison on two different CPU models, UnixBench builds or governors measures
 * those too. Each field listed here can move a UnixBench score, for the reason given with it;
 * when the sides differ in one (outside the --variable and --accept-drift), compare turns an
 * improved or regressed verdict into "inconclusive (environment differs: <field>)".
 * Fields that cannot move the result never warn: hostname, collectedAt, the source path of the
 * UnixBench tarball (its hash is compared instead), run and result ids, dates.
 */
import type { EnvironmentManifest } from '../core/manifest.js';
import type { ResultDoc } from '../results/model.js';

export interface DriftField {
  name: string;
  /** Why a difference in it can move UnixBench's index values. */
  reason: string;
  get: (m: EnvironmentManifest) => string | undefined;
}

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));

/** Fields that can move UnixBench, each with the reason. */
export const MANIFEST_FIELDS: DriftField[] = [
  { name: 'cpuModel', reason: 'a different CPU changes every CPU-bound test (Dhrystone, Whetstone) and the cost of syscalls and context switches', get: (m) => str(m.cpuModel) },
  { name: 'microcode', reason: 'microcode updates change speculation barriers and erratum workarounds: syscall, pipe and context-switch costs move with them', get: (m) => str(m.microcode) },
  { name: 'cpuFlags', reason: 'the instruction set the guest sees (a KVM CPU model without AVX, PCID or TSC features) changes compiled code paths and syscall costs', get: (m) => (m.cpuFlags?.length ? [...m.cpuFlags].sort().join(' ') : undefined) },
  { name: 'cpusOnline', reason: 'the N-copy pass runs one copy per CPU: its index scales with the CPU count', get: (m) => str(m.cpusOnline) },
  { name: 'memoryMiB', reason: 'less memory means more page-cache pressure in the File Copy tests', get: (m) => str(m.memoryMiB) },
  { name: 'arch', reason: 'a 32-bit and a 64-bit build are different programs (2011: LXC 32-bit vs x86_64)', get: (m) => str(m.arch) },
  { name: 'os', reason: "the distribution brings its libc and /bin/sh: Execl, Process Creation and the Shell Scripts tests time them", get: (m) => str(m.os) },
  { name: 'kernelRelease', reason: 'the kernel implements every syscall, pipe, fork, exec and file copy UnixBench times', get: (m) => str(m.kernelRelease) },
  { name: 'kernelVersion', reason: 'the same release rebuilt (another config or patch set) is another kernel', get: (m) => str(m.kernelVersion) },
  { name: 'kernelCmdline', reason: 'boot options (mitigations=, isolcpus, nohz, preempt=) change scheduling and syscall costs', get: (m) => str(m.kernelCmdline) },
  { name: 'governor', reason: 'the cpufreq governor sets the clock: powersave against performance moves every CPU-bound test', get: (m) => str(m.governor) },
  { name: 'transparentHugepages', reason: 'THP changes page-fault and fork/exec costs (Process Creation, Execl, Shell Scripts)', get: (m) => str(m.transparentHugepages) },
  {
    name: 'mitigations',
    reason: 'Spectre/Meltdown/retbleed mitigations add cost to every kernel entry: System Call Overhead, Pipe Throughput, Context Switching',
    get: (m) => (m.mitigations ? Object.keys(m.mitigations).sort().map((k) => `${k}=${m.mitigations![k]}`).join('; ') : undefined),
  },
  { name: 'virtualization', reason: 'bare metal, a container and a VM are the methods being measured: a different one is a different experiment', get: (m) => str(m.virtualization) },
  { name: 'compiler', reason: 'UnixBench is compiled on the target: another gcc version generates other code for Dhrystone and Whetstone', get: (m) => str(m.compiler) },
  { name: 'cflags', reason: 'optimisation flags (-O2 vs -O3, -march) change the CPU-bound tests directly', get: (m) => str(m.cflags) },
  { name: 'unixbench.version', reason: 'another UnixBench version has other test programs and baselines', get: (m) => str(m.unixbench?.version) },
  { name: 'unixbench.sourceSha256', reason: 'another source tarball is another build, even under the same version', get: (m) => str(m.unixbench?.sourceSha256) },
];

/** What a --variable name stands for: the manifest fields it is allowed to change. */
export const VARIABLES: Record<string, string[]> = {
  kernel: ['kernelRelease', 'kernelVersion', 'kernelCmdline'],
  compiler: ['compiler', 'cflags'],
  unixbench: ['unixbench.version', 'unixbench.sourceSha256', 'compiler', 'cflags'],
  'unixbench-version': ['unixbench.version', 'unixbench.sourceSha256', 'compiler', 'cflags'],
  // A partial index (a subset run) against another index set: checked in input-checks.ts.
  'index-set': [],
  governor: ['governor'],
  mitigations: ['mitigations', 'kernelCmdline'],
  thp: ['transparentHugepages'],
  cpu: ['cpuModel', 'cpusOnline', 'microcode', 'cpuFlags'],
  microcode: ['microcode'],
  memory: ['memoryMiB'],
  os: ['os'],
  // Comparing methods (host vs lxc vs kvm): the guest side differs by design.
  method: ['virtualization', 'kernelRelease', 'kernelVersion', 'kernelCmdline', 'os', 'cpusOnline', 'memoryMiB', 'compiler', 'cflags', 'cpuFlags', 'cpuModel', 'mitigations', 'governor', 'transparentHugepages', 'microcode'],
};

export function variableFields(variable: string | undefined): string[] {
  if (!variable) return [];
  return VARIABLES[variable] ?? [variable];
}

export function knownVariables(): string[] {
  return [...Object.keys(VARIABLES), ...MANIFEST_FIELDS.map((f) => f.name)];
}

export interface ManifestDifference {
  /** "guest" (ResultDoc.manifest) or "host" (ResultDoc.hostManifest). */
  side: 'guest' | 'host';
  field: string;
  baseline: string[];
  candidate: string[];
}

function values(results: ResultDoc[], side: 'guest' | 'host', f: DriftField): string[] {
  const set = new Set<string>();
  for (const r of results) {
    const m = side === 'guest' ? r.manifest : r.hostManifest;
    const v = m ? f.get(m) : undefined;
    if (v !== undefined) set.add(v);
  }
  return [...set].sort();
}

/**
 * Fields whose values differ between the two columns (outside the variable). A field known
 * on one side only is not reported: there is nothing to compare it with.
 */
export function diffManifests(baseline: ResultDoc[], candidate: ResultDoc[], variable?: string, accepted: readonly string[] = []): ManifestDifference[] {
  const skip = new Set([...variableFields(variable), ...accepted.flatMap((a) => variableFields(a))]);
  const out: ManifestDifference[] = [];
  for (const side of ['guest', 'host'] as const) {
    for (const f of MANIFEST_FIELDS) {
      if (skip.has(f.name)) continue;
      const b = values(baseline, side, f);
      const c = values(candidate, side, f);
      if (b.length === 0 || c.length === 0) continue;
      if (b.join('\u0000') !== c.join('\u0000')) out.push({ side, field: f.name, baseline: b, candidate: c });
    }
  }
  return out;
}

/** Whether the named variable actually differs (a kernel comparison of one kernel is a mistake worth a warning). */
export function variableDiffers(baseline: ResultDoc[], candidate: ResultDoc[], variable: string): boolean | undefined {
  const fields = new Set(variableFields(variable));
  let seen = false;
  for (const side of ['guest', 'host'] as const) {
    for (const f of MANIFEST_FIELDS) {
      if (!fields.has(f.name)) continue;
      const b = values(baseline, side, f);
      const c = values(candidate, side, f);
      if (b.length === 0 || c.length === 0) continue;
      seen = true;
      if (b.join('\u0000') !== c.join('\u0000')) return true;
    }
  }
  return seen ? false : undefined;
}

export function describeDifference(d: ManifestDifference): string {
  const side = d.side === 'guest' ? 'guest' : 'host';
  if (d.field === 'cpuFlags') {
    const words = (xs: string[]) => new Set(xs.flatMap((x) => x.split(' ')));
    const b = words(d.baseline);
    const c = words(d.candidate);
    const only = (a: Set<string>, o: Set<string>) => [...a].filter((x) => !o.has(x)).join(' ') || '(none)';
    return `${side} cpuFlags differs: only in the baseline ${only(b, c)}; only in the candidate ${only(c, b)}`;
  }
  return `${side} ${d.field} differs: baseline ${d.baseline.join(' | ')}; candidate ${d.candidate.join(' | ')}`;
}

/** The reason a field can move UnixBench (for messages and the README). */
export function driftReason(field: string): string | undefined {
  return MANIFEST_FIELDS.find((f) => f.name === field)?.reason;
}
