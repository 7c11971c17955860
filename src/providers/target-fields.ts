/**
 * The zod pieces every method's suite target is built from (src/providers/<method>/schema.ts):
 * names, addresses, subnets, bridges, limits, a Debian image, and the fields all targets share.
 * The suite (src/suite/schema.ts) puts the methods' schemas together; it reads them from here.
 */
import { z } from 'zod';

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,30}$/;
export const nameField = (what: string) =>
  z.string({ error: `expected the ${what} as a string` }).regex(NAME_RE, {
    error: `invalid ${what}: allowed are 1-31 characters a-z, 0-9 and '-', starting with a letter or digit`,
  });

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const validOctets = (m: RegExpMatchArray | null) => !!m && m.slice(1, 5).every((o) => Number(o) <= 255);
export const ipv4 = z.string().refine((s) => validOctets(s.match(IPV4_RE)), { error: 'expected an IPv4 address such as 10.213.0.10' });
export const cidr = z
  .string()
  .refine((s) => { const m = s.match(CIDR_RE); return validOctets(m) && Number(m![5]) >= 8 && Number(m![5]) <= 30; }, {
    error: 'expected an IPv4 subnet in CIDR form with a prefix of /8 to /30, such as 10.213.0.0/24',
  });
export const bridgeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/, {
  error: 'invalid bridge name: allowed are 1-15 characters A-Z, a-z, 0-9, "_", "." and "-" (the kernel limit)',
});
export const positiveInt = (what: string) => z.number({ error: `expected ${what} as a whole number` }).int({ error: `expected ${what} as a whole number` }).min(1, { error: `${what} must be at least 1` });

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

/** The fields every target has, with its method's name. */
export const targetFields = <M extends string>(method: M) => ({
  name: nameField('target name'),
  method: z.literal(method),
  host: nameField('host name').default('local'),
  label: z.string().min(1).max(40).optional(),
  limits: limitsSchema.prefault({}),
});
