/**
 * run.json: the plan, the order it runs in, and the state of every step, rewritten atomically
 * at every change. It is what `--resume` reads: ok steps are never repeated; failed, pending
 * and interrupted ones run again; a guest recorded as provisioned is destroyed first.
 */
import { readRunJson, RUN_FILE } from '../results/run-dir.js';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { isSafeName } from '../core/contained.js';
import { InputError, isVirtbenchError } from '../core/errors.js';
import { atomicWriteJson } from '../core/fs.js';
import type { Guest } from '../core/guest.js';
import { METHODS, type Method } from '../core/targets.js';
import { parseSuite } from '../suite/load.js';
import { formatField } from '../suite/locate.js';
import type { RunPlan } from '../suite/plan.js';
import { resultIdOf, type ScheduledStep } from '../suite/order.js';

export const RUN_STATE_VERSION = 1 as const;

export type StepStatus = 'pending' | 'running' | 'ok' | 'failed';

export interface StepState {
  resultId: string;
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  seconds?: number;
  /** seconds plus the guest's destroy and cleanup: the step's share of the run's wall time. */
  wallSeconds?: number;
  workloadSeconds?: number;
  error?: { code: string; message: string; hint?: string };
  /** Set while a guest exists, so a crashed run's guest can be destroyed on resume. */
  guest?: Pick<Guest, 'name' | 'method' | 'handle' | 'ssh' | 'emulated' | 'facts'>;
}

export interface RunAttempt {
  startedAt: string;
  pid: number;
  /** The process's start time (/proc/<pid>/stat), so a recycled PID is not taken for the owner. */
  pidStart?: string;
  endedAt?: string;
  outcome?: 'ok' | 'failed' | 'interrupted' | 'crashed';
}

/** A lab host's kernel switches (suites with `kernels:`): what was asked, what came back. */
export interface KernelRunState {
  host: string;
  /** What GRUB boots when nothing is asked for; the host is left on it at the end. */
  defaultKernel?: string;
  /** The host key every return from a reboot is checked against (the suite's, or the first one seen). */
  hostKey?: string;
  boots: {
    release: string;
    method: 'grub-reboot' | 'kexec';
    startedAt: string;
    /** boot_id before the reboot: a resumed run tells "not gone down yet" from "back". */
    fromBootId: string;
    status: 'booting' | 'ok' | 'wrong-kernel' | 'failed' | 'interrupted';
    seconds?: number;
    /** uname -r after the boot. */
    seen?: string;
    error?: string;
  }[];
  restored?: { release: string; at: string };
}

export interface RunState {
  schemaVersion: typeof RUN_STATE_VERSION;
  kind: 'virtbench-run';
  runId: string;
  createdAt: string;
  status: 'running' | 'ok' | 'failed' | 'interrupted';
  suite: { file: string; text: string };
  plan: RunPlan;
  workload: { name: string; version: string; options: Record<string, unknown>; source?: string };
  seed: number;
  schedule: Record<string, ScheduledStep[]>;
  steps: Record<string, StepState>;
  /**
   * Only in runs written before the key moved to the state directory: the key's path relative to
   * the run directory. The run's key now lives in <state>/keys/<run-id>/, never in results.
   */
  keyPath?: string;
  attempts: RunAttempt[];
  kernels?: KernelRunState;
}

export const runStatePath = (runDir: string) => join(runDir, RUN_FILE);

export async function readRunState(runDir: string): Promise<RunState> {
  return validateRunState(await readRunJson(runDir), runStatePath(runDir));
}

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,30}$/;
const targetName = z.string().regex(NAME_RE, { error: 'expected a target or host name ([a-z0-9-], at most 31 characters)' });
const safeId = z.string().refine(isSafeName, { error: 'expected letters, digits, ".", "_" and "-" (no "/", no "..")' });
const isoTime = z.string().max(64);
const kernelRelease = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/, { error: 'expected a kernel release (uname -r)' });
const method = z.enum(METHODS as [Method, ...Method[]]);

const stepSchema = z.looseObject({
  resultId: safeId,
  status: z.enum(['pending', 'running', 'ok', 'failed']),
  attempts: z.number().int().nonnegative(),
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  seconds: z.number().optional(),
  wallSeconds: z.number().optional(),
  workloadSeconds: z.number().optional(),
  error: z.looseObject({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
  guest: z
    .looseObject({
      name: targetName,
      method,
      handle: z.record(z.string(), z.unknown()),
      ssh: z.record(z.string(), z.unknown()),
      emulated: z.boolean(),
      facts: z.record(z.string(), z.unknown()),
    })
    .optional(),
});

const runStateSchema = z.looseObject({
  schemaVersion: z.literal(RUN_STATE_VERSION),
  kind: z.literal('virtbench-run'),
  runId: safeId,
  createdAt: isoTime,
  status: z.enum(['running', 'ok', 'failed', 'interrupted']),
  suite: z.looseObject({ file: z.string().min(1), text: z.string() }),
  plan: z.looseObject({
    name: z.string(),
    hosts: z.array(z.looseObject({ name: targetName, kind: z.enum(['local', 'remote']) })).min(1),
    targets: z.array(z.looseObject({ spec: z.looseObject({ name: targetName, method, host: targetName }), label: z.string() })).min(1),
    repetitions: z.number().int().positive(),
    adaptive: z.looseObject({ min: z.number().int().positive(), max: z.number().int().positive(), budgetMinutes: z.number().positive().optional() }).optional(),
  }),
  workload: z.looseObject({ name: z.string(), version: z.string(), options: z.record(z.string(), z.unknown()), source: z.string().optional() }),
  seed: z.number().int().nonnegative(),
  schedule: z.record(targetName, z.array(z.looseObject({ target: targetName, host: targetName, repetition: z.number().int().positive(), kernel: kernelRelease.optional() }))),
  steps: z.record(safeId, stepSchema),
  keyPath: z.string().optional(),
  // Kernel releases here become grub-reboot and kexec arguments on a lab host.
  kernels: z
    .looseObject({
      host: targetName,
      defaultKernel: kernelRelease.optional(),
      hostKey: z.string().optional(),
      boots: z.array(z.looseObject({ release: kernelRelease, method: z.enum(['grub-reboot', 'kexec']), startedAt: isoTime, fromBootId: z.string().regex(/^[A-Za-z0-9-]{0,64}$/), status: z.enum(['booting', 'ok', 'wrong-kernel', 'failed', 'interrupted']) })),
      restored: z.looseObject({ release: kernelRelease, at: isoTime }).optional(),
    })
    .optional(),
  attempts: z.array(z.looseObject({ startedAt: isoTime, pid: z.number().int().positive(), pidStart: z.string().regex(/^\d+$/).optional(), endedAt: isoTime.optional(), outcome: z.enum(['ok', 'failed', 'interrupted', 'crashed']).optional() })),
});

function invalid(file: string, field: string, message: string): InputError {
  return new InputError('RUN_STATE_INVALID', `run.json field '${field}': ${message}`, {
    hint: 'run.json was edited or damaged; a run directory is only ever written by virtbench (start a new run if it cannot be repaired)',
    location: { file, field },
  });
}

/**
 * run.json as read back from disk: its schema, names that are safe as path parts, a schedule and
 * steps that agree, and a plan that is the one its own suite text gives (nothing in it was edited).
 */
export function validateRunState(value: unknown, file: string): RunState {
  if (typeof value === 'object' && value !== null) {
    const v = value as Partial<RunState>;
    if (v.kind !== undefined && v.kind !== 'virtbench-run') throw invalid(file, 'kind', 'not a virtbench run state');
    if (v.schemaVersion !== undefined && v.schemaVersion !== RUN_STATE_VERSION) {
      throw new InputError('RUN_DIR_INVALID', `run.json is not a virtbench run state of version ${RUN_STATE_VERSION}`, {
        location: { file, field: 'schemaVersion' },
        hint: 'resume works on run directories written by this version of virtbench',
      });
    }
  }
  const r = runStateSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw invalid(file, formatField(issue.path as (string | number)[]), issue.message);
  }
  const state = r.data as unknown as RunState;
  const hosts = new Set(state.plan.hosts.map((h) => h.name));
  const targets = new Set(state.plan.targets.map((t) => t.spec.name));
  const scheduled = new Set<string>();
  for (const [host, list] of Object.entries(state.schedule)) {
    if (!hosts.has(host)) throw invalid(file, `schedule.${host}`, 'names a host the plan does not have');
    for (const [i, st] of list.entries()) {
      if (st.host !== host) throw invalid(file, `schedule.${host}[${i}].host`, `expected ${host}`);
      if (!targets.has(st.target)) throw invalid(file, `schedule.${host}[${i}].target`, `names a target the plan does not have: ${JSON.stringify(st.target)}`);
      scheduled.add(resultIdOf(st));
    }
  }
  for (const [key, st] of Object.entries(state.steps)) {
    if (st.resultId !== key) throw invalid(file, `steps.${key}.resultId`, `expected ${JSON.stringify(key)}`);
    if (!scheduled.has(key)) throw invalid(file, `steps.${key}`, 'is not in the schedule');
  }
  for (const id of scheduled) if (!state.steps[id]) throw invalid(file, `steps.${id}`, 'missing (the schedule has it)');
  // The plan is what the suite text recorded beside it says, or it was edited.
  let fromText: RunPlan;
  try {
    fromText = parseSuite(state.suite.text, state.suite.file);
  } catch (e) {
    throw invalid(file, 'suite.text', `the recorded suite does not validate any more: ${isVirtbenchError(e) ? e.message : (e as Error).message}`);
  }
  // Round options given on the command line (--min-rounds, --max-rounds, --until, --budget) change repetitions and adaptive.
  const comparable = (p: RunPlan) => JSON.parse(JSON.stringify({ ...p, repetitions: undefined, adaptive: undefined })) as unknown;
  if (!isDeepStrictEqual(comparable(fromText), comparable(state.plan))) {
    const at = planDifference(fromText, state.plan);
    throw invalid(file, at, 'differs from what the recorded suite text gives (edited?)');
  }
  return state;
}

function planDifference(a: RunPlan, b: RunPlan): string {
  const keys = ['name', 'hosts', 'targets', 'workload', 'order'] as const;
  for (const k of keys) {
    if (k === 'targets') {
      for (let i = 0; i < Math.max(a.targets.length, b.targets.length); i++) {
        if (!isDeepStrictEqual(JSON.parse(JSON.stringify(a.targets[i] ?? null)), JSON.parse(JSON.stringify(b.targets[i] ?? null)))) return `plan.targets[${i}]`;
      }
    } else if (!isDeepStrictEqual(JSON.parse(JSON.stringify(a[k] ?? null)), JSON.parse(JSON.stringify(b[k] ?? null)))) return `plan.${k}`;
  }
  return 'plan';
}

/** Serialises writes: concurrent hosts update the same run.json. */
export class RunStateFile {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly runDir: string, readonly state: RunState) {}

  /** Apply a change and write run.json; resolves when the write is on disk. */
  update(change: (s: RunState) => void): Promise<void> {
    change(this.state);
    const snapshot = JSON.parse(JSON.stringify(this.state)) as RunState;
    const next = this.chain.catch(() => undefined).then(() => atomicWriteJson(runStatePath(this.runDir), snapshot));
    this.chain = next;
    return next;
  }

  step(resultId: string): StepState {
    const s = this.state.steps[resultId];
    if (!s) throw new Error(`run.json has no step ${resultId}`);
    return s;
  }
}
