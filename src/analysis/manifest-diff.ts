/**
 * Differences between the environments of two columns, other than the one being compared.
 * A kernel comparison on two different CPU models, UnixBench builds or governors measures
 * those too; the comparison still runs, but a warning names each difference.
 */
import type { EnvironmentManifest, ResultDoc } from '../results/model.js';

type Field = { name: string; get: (m: EnvironmentManifest) => string | undefined };

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));

/** Fields that matter for performance. hostname, collectedAt and the source path do not. */
export const MANIFEST_FIELDS: Field[] = [
  { name: 'cpuModel', get: (m) => str(m.cpuModel) },
  { name: 'cpusOnline', get: (m) => str(m.cpusOnline) },
  { name: 'memoryMiB', get: (m) => str(m.memoryMiB) },
  { name: 'arch', get: (m) => str(m.arch) },
  { name: 'os', get: (m) => str(m.os) },
  { name: 'kernelRelease', get: (m) => str(m.kernelRelease) },
  { name: 'kernelVersion', get: (m) => str(m.kernelVersion) },
  { name: 'kernelCmdline', get: (m) => str(m.kernelCmdline) },
  { name: 'governor', get: (m) => str(m.governor) },
  { name: 'transparentHugepages', get: (m) => str(m.transparentHugepages) },
  {
    name: 'mitigations',
    get: (m) => (m.mitigations ? Object.keys(m.mitigations).sort().map((k) => `${k}=${m.mitigations![k]}`).join('; ') : undefined),
  },
  { name: 'virtualization', get: (m) => str(m.virtualization) },
  { name: 'compiler', get: (m) => str(m.compiler) },
  { name: 'cflags', get: (m) => str(m.cflags) },
  { name: 'unixbench.version', get: (m) => str(m.unixbench?.version) },
  { name: 'unixbench.sourceSha256', get: (m) => str(m.unixbench?.sourceSha256) },
];

/** What a --variable name stands for: the manifest fields it is allowed to change. */
export const VARIABLES: Record<string, string[]> = {
  kernel: ['kernelRelease', 'kernelVersion', 'kernelCmdline'],
  compiler: ['compiler', 'cflags'],
  unixbench: ['unixbench.version', 'unixbench.sourceSha256', 'compiler', 'cflags'],
  governor: ['governor'],
  mitigations: ['mitigations', 'kernelCmdline'],
  thp: ['transparentHugepages'],
  cpu: ['cpuModel', 'cpusOnline'],
  memory: ['memoryMiB'],
  os: ['os'],
  // Comparing methods (host vs lxc vs kvm): the guest side differs by design.
  method: ['virtualization', 'kernelRelease', 'kernelVersion', 'kernelCmdline', 'os', 'cpusOnline', 'memoryMiB', 'compiler', 'cflags'],
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

function values(results: ResultDoc[], side: 'guest' | 'host', f: Field): string[] {
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
export function diffManifests(baseline: ResultDoc[], candidate: ResultDoc[], variable?: string): ManifestDifference[] {
  const skip = new Set(variableFields(variable));
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
  return `${side} ${d.field} differs: baseline ${d.baseline.join(' | ')}; candidate ${d.candidate.join(' | ')}`;
}
