/**
 * The suite file's shape, field by field, with the defaults of 2011 (no limits, privileged
 * containers, -cpu host, virtio with cache=none). Objects are strict: an unknown key is an error.
 * Targets are validated per method, each by its provider's schema (targetSchemas), so each error
 * speaks about one method.
 */
import { z } from 'zod';
import { DESCRIPTORS, type SuiteTarget } from '../providers/registry.js';
import { nameField, positiveInt } from '../providers/target-fields.js';
import { DEFAULT_UNIXBENCH_VERSION, isUnixBenchTestOrGroup, maxSystemCopies, UNIXBENCH_VERSIONS, type UnixBenchVersion } from '../workloads/unixbench/catalogue.js';

export { debianImageSchema, limitsSchema } from '../providers/target-fields.js';

/** Each method's target entry, from its descriptor (src/providers/<method>/descriptor.ts). */
export const targetSchemas: Readonly<Record<string, z.ZodType<SuiteTarget>>> = Object.fromEntries(DESCRIPTORS.map((d) => [d.method, d.targetSchema]));
export type RawTarget = SuiteTarget;

const testName = z.string().refine(isUnixBenchTestOrGroup, {
  error: 'unknown UnixBench test or group',
});

export const unixbenchSchema = z.strictObject({
  profile: z.enum(['default', 'short']).default('default'),
  iterations: positiveInt('an iteration count (-i)').optional(),
  version: z.enum(Object.keys(UNIXBENCH_VERSIONS) as [UnixBenchVersion, ...UnixBenchVersion[]], {
    error: `expected a UnixBench version the harness pins: ${Object.keys(UNIXBENCH_VERSIONS).join(' or ')}`,
  }).default(DEFAULT_UNIXBENCH_VERSION),
  copies: z.array(positiveInt('a copies count (-c)')).min(1).optional(),
  tests: z.array(testName).min(1).optional(),
  locale: z.string().regex(/^[A-Za-z0-9_.@-]+$/, { error: 'expected a locale name such as C or C.UTF-8' }).default('C'),
  allowOtherVersion: z.boolean().default(false),
}).superRefine((ub, ctx) => {
  const max = maxSystemCopies(ub.version);
  if (max === undefined) return;
  (ub.copies ?? []).forEach((c, i) => {
    if (c > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['copies', i],
        message: `UnixBench ${ub.version} runs no test above ${max} copies (it prints an empty pass); set version: 6.0.0 for more`,
      });
    }
  });
});

/**
 * A remote host: by address (user root and port 22 unless given), or by an ~/.ssh/config alias
 * whose HostName, User, Port and IdentityFile apply unless given here.
 */
export const remoteHostSchema = z.strictObject({
  address: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.:-]*$/, { error: 'expected a host name or IP address' }).optional(),
  alias: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a Host alias of ~/.ssh/config (letters, digits, ".", "_", "-")' }).optional(),
  port: z.number().int().min(1).max(65535, { error: 'expected a TCP port from 1 to 65535' }).optional(),
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: 'expected a Unix user name' }).optional(),
  key: z.string().min(1).optional(),
  hostKey: z.string().regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/=]+( .*)?$/, {
    error: 'expected an OpenSSH public host key line such as "ssh-ed25519 AAAA..." (ssh-keyscan prints it)',
  }).optional(),
  trustOnFirstUse: z.boolean().default(false),
});

/** A kernel release as `uname -r` prints it ("6.1.0-47-amd64"). */
export const KERNEL_RELEASE_RE = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$/;

/**
 * Host kernels to measure on one lab host: each round boots the host into one of them (a
 * one-time GRUB entry, or kexec), checks `uname -r`, and runs that host's targets.
 */
export const kernelsSchema = z.strictObject({
  host: nameField('host name'),
  releases: z
    .array(z.string().regex(KERNEL_RELEASE_RE, { error: 'expected a kernel release as `uname -r` prints it, such as 6.1.0-47-amd64' }))
    .min(2, { error: 'name at least two kernels (the first is the baseline)' })
    .refine((r) => new Set(r).size === r.length, { error: 'a kernel is listed twice' }),
  boot: z.enum(['grub-reboot', 'kexec']).default('grub-reboot'),
  rebootTimeoutSeconds: z.number().int().min(30, { error: 'rebootTimeoutSeconds must be at least 30' }).max(7200).default(600),
});
/** "90m", "2h", "1h30m", or a number of minutes. */
export const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?$/;
export function durationMinutes(v: string | number): number | undefined {
  if (typeof v === 'number') return v > 0 ? v : undefined;
  const m = DURATION.exec(v.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  return minutes > 0 ? minutes : undefined;
}

/**
 * Adaptive repetitions: at least `min` interleaved rounds, then one more at a time until every
 * compared ratio is decided (analysis/sequential.ts), or `max` rounds or the time budget run out.
 */
export const adaptiveRepetitionsSchema = z
  .strictObject({
    min: z.number().int().min(2, { error: 'min must be at least 2 (the noise needs two runs per side)' }).default(3),
    max: positiveInt('the most rounds').max(1000),
    until: z
      .string()
      .refine((v) => v === 'decided', { error: 'until: decided is the one stopping rule (every compared ratio improved, regressed or no change)' })
      .transform(() => 'decided' as const)
      .default('decided'),
    budget: z
      .union([z.string(), z.number()])
      .refine((v) => durationMinutes(v) !== undefined, { error: 'expected a time budget such as "90m", "2h" or "1h30m"' })
      .optional(),
  })
  .refine((r) => r.max >= r.min, { error: 'max must be at least min', path: ['max'] });

export const suiteSchema = z.strictObject({
  name: nameField('suite name').optional(),
  description: z.string().optional(),
  hosts: z.record(z.string(), z.union([z.null(), remoteHostSchema])).optional(),
  workload: z.strictObject({ unixbench: unixbenchSchema.prefault({}) }).prefault({}),
  repetitions: z.union([positiveInt('the repetition count').max(1000), adaptiveRepetitionsSchema]).default(1),
  order: z.enum(['interleaved', 'sequential']).default('interleaved'),
  seed: z.number().int().min(0).max(2 ** 32 - 1, { error: 'seed must be a whole number from 0 to 4294967295' }).optional(),
  kernels: kernelsSchema.optional(),
  targets: z.array(z.unknown()).min(1, { error: 'a suite needs at least one target' }),
});
export type RawSuite = z.output<typeof suiteSchema>;
