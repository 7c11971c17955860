/**
 * The suite file's shape, field by field, with the defaults of 2011 (no limits, privileged
 * containers, -cpu host, virtio with cache=none). Objects are strict: an unknown key is an error.
 * Targets are validated per method (see targetSchemas) so each error speaks about one method.
 */
import { z } from 'zod';
import { LEGACY_QEMU_OPTIONS, type LegacyQemuOption } from '../providers/kvm/legacy-options.js';
import { DEFAULT_UNIXBENCH_VERSION, isUnixBenchTestOrGroup, maxSystemCopies, UNIXBENCH_VERSIONS, type UnixBenchVersion } from '../workloads/unixbench/catalogue.js';

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,30}$/;
const nameField = (what: string) =>
  z.string({ error: `expected the ${what} as a string` }).regex(NAME_RE, {
    error: `invalid ${what}: allowed are 1-31 characters a-z, 0-9 and '-', starting with a letter or digit`,
  });

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const validOctets = (m: RegExpMatchArray | null) => !!m && m.slice(1, 5).every((o) => Number(o) <= 255);
const ipv4 = z.string().refine((s) => validOctets(s.match(IPV4_RE)), { error: 'expected an IPv4 address such as 10.213.0.10' });
const cidr = z
  .string()
  .refine((s) => { const m = s.match(CIDR_RE); return validOctets(m) && Number(m![5]) >= 8 && Number(m![5]) <= 30; }, {
    error: 'expected an IPv4 subnet in CIDR form with a prefix of /8 to /30, such as 10.213.0.0/24',
  });
const bridgeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/, {
  error: 'invalid bridge name: allowed are 1-15 characters A-Z, a-z, 0-9, "_", "." and "-" (the kernel limit)',
});
const positiveInt = (what: string) => z.number({ error: `expected ${what} as a whole number` }).int({ error: `expected ${what} as a whole number` }).min(1, { error: `${what} must be at least 1` });

export const limitsSchema = z.strictObject({
  cpus: positiveInt('a CPU count').optional(),
  cpuset: z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, { error: 'expected a cpuset such as "0-1" or "0,2,4-5"' }).optional(),
  cpuQuota: z.number().positive({ error: 'expected CPU bandwidth in CPUs, above 0 (1.5 = 150% of one CPU)' }).optional(),
  memoryMiB: z.number().int().min(64, { error: 'memoryMiB must be a whole number of at least 64' }).optional(),
  pids: positiveInt('a pid limit').optional(),
  diskGiB: z.number().positive({ error: 'diskGiB must be above 0' }).optional(),
});

export const debianImageSchema = z.strictObject({
  release: z.string().regex(/^[a-z]+$/, { error: 'expected a Debian release code name such as bookworm' }).default('bookworm'),
  arch: z.enum(['amd64', 'i386']).default('amd64'),
  mirror: z.string().regex(/^https?:\/\/\S+$/, { error: 'expected an http(s) URL of a Debian mirror such as http://deb.debian.org/debian' }).default('http://deb.debian.org/debian'),
});

const common = {
  name: nameField('target name'),
  method: z.enum(['host', 'lxc', 'kvm', 'openvz']),
  host: nameField('host name').default('local'),
  label: z.string().min(1).max(40).optional(),
  limits: limitsSchema.prefault({}),
};

const hostTarget = z.strictObject({ ...common, method: z.literal('host') });

const lxcTarget = z.strictObject({
  ...common,
  method: z.literal('lxc'),
  privileged: z.boolean().default(true),
  network: z
    .strictObject({ bridge: bridgeName.default('virtbench0'), subnet: cidr.default('10.213.0.0/24'), address: ipv4.optional() })
    .prefault({}),
  image: debianImageSchema.prefault({}),
});

const kvmNet = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('user') }),
  z.strictObject({ mode: z.literal('tap'), bridge: bridgeName.default('virtbench0'), subnet: cidr.default('10.213.0.0/24'), address: ipv4.optional() }),
]);

const kvmImage = z.discriminatedUnion('kind', [
  debianImageSchema.extend({ kind: z.literal('debootstrap') }),
  // Accepted by the schema so a suite naming it gets a clear message, not "invalid union"; no provider can boot it yet.
  z.strictObject({ kind: z.literal('cloud'), path: z.string().min(1) }).superRefine((_, ctx) => {
    ctx.addIssue({ code: 'custom', path: ['kind'], message: 'image.kind cloud is not supported yet (no provider can boot a cloud image): use kind: debootstrap' });
  }),
]);

const kvmTarget = z.strictObject({
  ...common,
  method: z.literal('kvm'),
  accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  cpus: z.union([positiveInt('a vCPU count'), z.literal('all')], { error: 'expected a vCPU count (a whole number >= 1) or "all" (as many as the host has CPUs)' }).default('all'),
  memoryMiB: z.number().int().min(128, { error: 'memoryMiB must be a whole number of at least 128' }).default(2048),
  cpuModel: z.string().regex(/^[A-Za-z0-9_.,=+-]+$/, { error: 'expected a QEMU CPU model such as host or max' }).default('host'),
  disk: z
    .strictObject({
      cache: z.enum(['none', 'writeback', 'writethrough', 'directsync', 'unsafe']).default('none'),
      aio: z.enum(['native', 'threads', 'io_uring']).default('native'),
      sizeGiB: z.number().int().min(2, { error: 'sizeGiB must be a whole number of at least 2' }).default(8),
    })
    .prefault({}),
  net: kvmNet.prefault({ mode: 'user' }),
  hugepages: z.boolean().default(false),
  kernel: z.union([
    z.strictObject({ path: z.string().min(1), initrd: z.string().min(1).optional(), append: z.string().optional() }),
    // A Debian kernel package installed into the image (a second image, cached like the first), booted instead of the image's own.
    z.strictObject({
      package: z.string().regex(/^linux-image-[0-9][A-Za-z0-9.+-]*$/, { error: 'expected a Debian kernel package such as linux-image-6.1.0-47-amd64 (apt-cache search linux-image-6.1.0 lists them)' }),
      append: z.string().optional(),
    }),
  ], { error: 'expected kernel: { path, initrd, append } (your own kernel) or kernel: { package: linux-image-... } (a Debian kernel package)' }).optional(),
  image: kvmImage.prefault({ kind: 'debootstrap' }),
  droppedOptions: z.array(z.enum(Object.keys(LEGACY_QEMU_OPTIONS) as [LegacyQemuOption, ...LegacyQemuOption[]])).optional(),
});

const openvzTarget = z.strictObject({
  ...common,
  method: z.literal('openvz'),
  tool: z.enum(['auto', 'vzctl', 'prlctl']).default('auto'),
  ctid: z.number().int().min(101, { error: 'ctid must be a whole number from 101 (0-100 are reserved by OpenVZ)' }).max(2147483647).optional(),
  ostemplate: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'expected an OS template name such as debian-12-x86_64 (letters, digits, ".", "_", "-")' }).default('debian-12-x86_64'),
  ipAddress: ipv4,
  netMode: z.enum(['venet', 'veth']).default('venet'),
  reach: z.enum(['direct', 'jump']).default('jump'),
});

export const targetSchemas = { host: hostTarget, lxc: lxcTarget, kvm: kvmTarget, openvz: openvzTarget } as const;
export type RawTarget = z.output<(typeof targetSchemas)[keyof typeof targetSchemas]>;

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
