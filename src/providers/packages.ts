/**
 * Whether the programs and files the Debian packages of one part (a provider, the report) bring
 * are on a host: doctor's checks, and the same check before a provider starts anything.
 */
import { installCommand, packagesFor, type AptPackage, type PackageUse } from '../core/apt-packages.js';
import { PrerequisiteError } from '../core/errors.js';
import type { DoctorCheck } from '../core/provider.js';
import type { CommandHost } from '../core/host.js';

/** Prints each argument that is missing: a path that does not exist, a program not on PATH. */
const MISSING_SCRIPT = 'for a; do case "$a" in /*) [ -e "$a" ] ;; *) command -v "$a" >/dev/null 2>&1 ;; esac || printf "%s\\n" "$a"; done';

export interface PackageState {
  pkg: AptPackage;
  missing: string[];
}

export async function packageStates(host: CommandHost, packages: readonly AptPackage[]): Promise<PackageState[]> {
  const out: PackageState[] = [];
  for (const pkg of packages) {
    const wanted = [...pkg.programs, ...pkg.files];
    if (!wanted.length) continue;
    const r = await host.run(['sh', '-c', MISSING_SCRIPT, 'sh', ...wanted], { allowFailure: true });
    out.push({ pkg, missing: r.stdout.split('\n').filter((l) => wanted.includes(l)) });
  }
  return out;
}

export async function packageChecks(host: CommandHost, use: PackageUse, provider: DoctorCheck['provider'], packages = packagesFor(use)): Promise<DoctorCheck[]> {
  return (await packageStates(host, packages)).map(({ pkg, missing }) => ({
    provider,
    what: `package ${pkg.package}`,
    ok: missing.length === 0,
    detail: missing.length ? `missing ${missing.join(', ')}: ${pkg.why}` : [...pkg.programs, ...pkg.files].join(', '),
    ...(missing.length ? { fix: installCommand([pkg.package]) } : {}),
  }));
}

/** Fails before anything is started when a package a provider relies on is not installed. */
export async function requirePackages(host: CommandHost, use: PackageUse, packages = packagesFor(use)): Promise<void> {
  const absent = (await packageStates(host, packages)).filter((s) => s.missing.length);
  if (!absent.length) return;
  const names = absent.map((s) => s.pkg.package);
  throw new PrerequisiteError('MISSING_PACKAGE', `${host.name} lacks what the ${use} provider needs: ${absent.map((s) => `${s.missing.join(', ')} (package ${s.pkg.package})`).join('; ')}`, {
    hint: `${installCommand(names)} (see: virtbench doctor)`,
  });
}
