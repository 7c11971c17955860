/**
 * The JSON schema of one result (result.json), version RESULT_SCHEMA_VERSION. A reader refuses
 * versions it does not know rather than guess at their meaning.
 */
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import type { UnixBenchReport } from '../workloads/unixbench/model.js';
import { RESULT_SCHEMA_VERSION, type EnvironmentManifest, type ResultDoc } from './model.js';

const cpu = z.object({ index: z.number().int(), model: z.string(), bogomips: z.number().optional(), features: z.array(z.string()) });

const system = z.object({
  hostname: z.string(),
  system: z.string(),
  os: z.string(),
  kernelRelease: z.string(),
  kernelVersion: z.string(),
  machine: z.string(),
  platform: z.string().optional(),
  language: z.string(),
  cpus: z.array(cpu),
  uptimeLine: z.string().optional(),
});

const indexRow = z.object({ name: z.string(), baseline: z.number().nullable(), result: z.number().nullable(), index: z.number() });

const indexTable = z.object({
  partial: z.boolean(),
  rows: z.array(indexRow),
  score: z.number(),
  category: z.string().optional(),
  unindexed: z.array(z.object({ name: z.string(), result: z.number() })).optional(),
});

const pass = z.object({
  copies: z.number().int().nonnegative(),
  cpusInSystem: z.number().int().nonnegative(),
  runLine: z.string(),
  tests: z.array(z.object({ name: z.string(), value: z.number(), unit: z.string(), seconds: z.number(), samples: z.number().int() })),
  index: indexTable.optional(),
  otherIndexes: z.array(indexTable).optional(),
  empty: z.boolean(),
});

const logTest = z.object({
  name: z.string(),
  copies: z.number().int(),
  iterations: z.array(z.number()),
  printedScore: z.number(),
  recomputedScore: z.number(),
  passes: z.array(z.object({ count: z.number(), timebase: z.number(), unit: z.string(), time: z.number() })).optional(),
  printedTime: z.number().optional(),
  printedIterations: z.number().int().optional(),
});

const checkSchema = z.object({
  what: z.string(),
  printed: z.number(),
  recomputed: z.number(),
  relativeDifference: z.number(),
  ok: z.boolean(),
  tolerance: z.number().optional(),
});

export const unixBenchReportSchema: z.ZodType<UnixBenchReport> = z.object({
  version: z.string(),
  system,
  passes: z.array(pass),
  aborted: z.object({ message: z.string(), line: z.number().int() }).optional(),
  log: z.object({ tests: z.array(logTest) }).optional(),
  checks: z.array(checkSchema),
});

const manifest: z.ZodType<EnvironmentManifest> = z.object({
  collectedAt: z.string(),
  hostname: z.string(),
  os: z.string(),
  kernelRelease: z.string(),
  kernelVersion: z.string(),
  kernelCmdline: z.string().optional(),
  arch: z.string(),
  cpuModel: z.string(),
  microcode: z.string().optional(),
  cpuFlags: z.array(z.string()),
  cpusOnline: z.number().int(),
  memoryMiB: z.number(),
  governor: z.string().optional(),
  transparentHugepages: z.string().optional(),
  mitigations: z.record(z.string(), z.string()).optional(),
  virtualization: z.string().optional(),
  compiler: z.string().optional(),
  cflags: z.string().optional(),
  unixbench: z.object({ version: z.string(), sourceSha256: z.string(), source: z.string() }).optional(),
  extra: z.record(z.string(), z.string()).optional(),
});

/** A result id names its folder: no path separators, no dot-dot. */
export const RESULT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const resultDocSchema: z.ZodType<ResultDoc> = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  id: z.string().regex(RESULT_ID, 'letters, digits, ".", "_" and "-", starting with a letter or digit'),
  runId: z.string().min(1),
  target: z.object({
    name: z.string().min(1),
    method: z.enum(['host', 'lxc', 'kvm', 'openvz', 'published']),
    host: z.string(),
    label: z.string().optional(),
  }),
  workload: z.object({
    name: z.literal('unixbench'),
    version: z.string(),
    options: z.object({
      iterations: z.number().int().positive().optional(),
      copies: z.array(z.number().int().positive()).optional(),
      tests: z.array(z.string()).optional(),
      locale: z.string().optional(),
      version: z.string().optional(),
      allowOtherVersion: z.boolean().optional(),
    }),
  }),
  repetition: z.number().int().positive(),
  status: z.enum(['ok', 'failed']),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  emulated: z.boolean(),
  published: z
    .object({
      source: z.string(),
      conditions: z.record(z.string(), z.string()),
      tool: z.string().optional(),
      toolVersion: z.string().optional(),
      file: z.string().optional(),
      findings: z.array(z.string()).optional(),
    })
    .optional(),
  unixbench: unixBenchReportSchema.optional(),
  manifest: manifest.optional(),
  hostManifest: manifest.optional(),
  guestFacts: z.record(z.string(), z.unknown()).optional(),
  hostKernel: z.object({
    release: z.string().min(1),
    boot: z.enum(['grub-reboot', 'kexec', 'already-running']),
    bootSeconds: z.number().nonnegative().optional(),
    bootId: z.string(),
    position: z.number().int().min(-1),
  }).optional(),
  rawFiles: z.array(z.string().regex(RESULT_ID, 'a plain file name')),
});

/**
 * Validate a parsed result.json. `where` names the file for messages. The version is checked
 * first, so a newer file says "upgrade" instead of listing every field it does not match.
 */
export function parseResultDoc(value: unknown, where: string): ResultDoc {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('RESULT_INVALID', 'a result must be a JSON object', { location: { file: where } });
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined) {
    throw new InputError('RESULT_SCHEMA_VERSION', 'the result has no schemaVersion', {
      hint: `virtbench writes schemaVersion ${RESULT_SCHEMA_VERSION}; this file was not written by virtbench, or was edited`,
      location: { file: where, field: 'schemaVersion' },
    });
  }
  if (version !== RESULT_SCHEMA_VERSION) {
    const newer = typeof version === 'number' && version > RESULT_SCHEMA_VERSION;
    throw new InputError('RESULT_SCHEMA_VERSION', `unknown result schemaVersion ${JSON.stringify(version)} (this virtbench reads version ${RESULT_SCHEMA_VERSION})`, {
      hint: newer ? 'the result was written by a newer virtbench: upgrade virtbench to read it' : 'this is not a virtbench result schema version',
      location: { file: where, field: 'schemaVersion' },
    });
  }
  const r = resultDocSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problems)` : '';
    throw new InputError('RESULT_INVALID', `invalid result: ${field || '(top level)'}: ${issue.message}${more}`, {
      hint: 'result.json files are written by virtbench; restore the file from its run, or re-import it',
      location: { file: where, field: field || undefined },
    });
  }
  if (r.data.unixbench) checkMeasuredValues(r.data.unixbench, where);
  return r.data;
}

/**
 * Index values, scores and test results are positive, finite numbers: a zero, a negative or a
 * non-finite value is a damaged input (an InputError naming the field), never silently dropped.
 */
export function checkMeasuredValues(ub: UnixBenchReport, where: string, prefix = 'unixbench'): void {
  const bad = (v: unknown) => typeof v !== 'number' || !Number.isFinite(v) || v <= 0;
  const fail = (field: string, v: unknown) => {
    throw new InputError('RESULT_INVALID', `invalid result: ${field}: ${JSON.stringify(v)} is not a positive, finite number`, {
      hint: 'an index value, score or test result of 0, below 0 or not finite comes from a damaged or edited file',
      location: { file: where, field },
    });
  };
  ub.passes.forEach((p, i) => {
    p.tests.forEach((t, j) => bad(t.value) && fail(`${prefix}.passes.${i}.tests.${j}.value`, t.value));
    [p.index, ...(p.otherIndexes ?? [])].forEach((table, k) => {
      if (!table) return;
      const at = k === 0 ? `${prefix}.passes.${i}.index` : `${prefix}.passes.${i}.otherIndexes.${k - 1}`;
      if (bad(table.score)) fail(`${at}.score`, table.score);
      table.rows.forEach((row, j) => bad(row.index) && fail(`${at}.rows.${j}.index`, row.index));
    });
  });
}
