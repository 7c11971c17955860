/**
 * The Debian packages virtbench relies on, with what each brings that the code uses. One list
 * (apt-packages.json): .ci/run installs it and `virtbench doctor` checks it.
 */
import { z } from 'zod';
import list from './apt-packages.json' with { type: 'json' };

export const PACKAGE_USES = ['npm', 'report', 'tests', 'host', 'lxc', 'kvm'] as const;
export type PackageUse = (typeof PACKAGE_USES)[number];

const aptPackageSchema = z.strictObject({
  package: z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/),
  for: z.array(z.enum(PACKAGE_USES)).min(1),
  why: z.string().min(1),
  /** Looked up on PATH by name, or an absolute path. */
  programs: z.array(z.string().min(1)),
  files: z.array(z.string().startsWith('/')),
});
export type AptPackage = z.infer<typeof aptPackageSchema>;

export const APT_PACKAGES: readonly AptPackage[] = z.strictObject({ comment: z.string(), packages: z.array(aptPackageSchema) }).parse(list).packages;

export function packagesFor(use: PackageUse): AptPackage[] {
  return APT_PACKAGES.filter((p) => p.for.includes(use));
}

/** The package that brings a program (by name or path) or a file, if it is one of ours. */
export function packageBringing(programOrFile: string): AptPackage | undefined {
  return APT_PACKAGES.find((p) => p.programs.includes(programOrFile) || p.files.includes(programOrFile));
}

export function installCommand(packages: readonly string[]): string {
  return `apt-get install --no-install-recommends ${packages.join(' ')}`;
}
