import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError, PrerequisiteError } from '../core/errors.js';
import { shellCommand } from '../remote/quote.js';
import type { RunPlan } from '../suite/plan.js';
import { unixbenchSeconds } from './progress/estimate.js';
import type { RunnerWorkload } from './workload-port.js';

/** `./Run` as the suite asks for it: no arguments at all for the 2011 defaults. */
export function runArgv(o: RunPlan['workload']['options']): string[] {
  const argv = ['./Run'];
  if (o.iterations !== undefined) argv.push('-i', String(o.iterations));
  for (const c of o.copies ?? []) argv.push('-c', String(c));
  argv.push(...(o.tests ?? []));
  return argv;
}

/** What --dry-run shows for the workload. */
export function unixbenchCommandLines(plan: RunPlan): string[] {
  const o = plan.workload.options;
  const secs = unixbenchSeconds(o, 2);
  return [
    `UnixBench 5.1.3, profile ${plan.workload.profile}${plan.workload.profile === 'default' ? ' (as in 2011: no -i, -c or test list)' : ''}`,
    `in each guest: ${shellCommand(['env', `LANG=${o.locale}`, `LC_ALL=${o.locale}`, ...runArgv(o)])}`,
    `about ${Math.round(secs / 60)} min of UnixBench per guest on 2 CPUs (more CPUs add a copies pass when -c is not given)`,
  ];
}

export const SOURCE_HINT =
  'give the UnixBench 5.1.3 source with --unixbench-source <dir|tarball> or VIRTBENCH_UNIXBENCH_SOURCE: ' +
  'on a machine with internet, `git clone --branch v5.1.3 https://github.com/kdlucas/byte-unixbench` ' +
  '(or download its v5.1.3 tarball) and copy it here';

/** The UnixBench source the run will use: the flag, then the environment variable. */
export async function resolveUnixbenchSource(flag: string | undefined): Promise<string | undefined> {
  const given = flag ?? process.env.VIRTBENCH_UNIXBENCH_SOURCE;
  if (!given) return undefined;
  const path = resolve(given);
  try {
    await stat(path);
  } catch {
    throw new InputError('UNIXBENCH_SOURCE_MISSING', `the UnixBench source ${given} does not exist`, {
      hint: SOURCE_HINT,
      location: { field: flag ? '--unixbench-source' : 'VIRTBENCH_UNIXBENCH_SOURCE' },
    });
  }
  return path;
}

/**
 * The UnixBench workload of a suite, built on the UnixBench lifecycle (source, install, run,
 * collect in src/workloads/unixbench/). For --dry-run nothing is resolved.
 */
export async function unixbenchWorkload(plan: RunPlan, o: { source?: string; dryRun: boolean }): Promise<RunnerWorkload> {
  const options = plan.workload.options;
  const base = {
    name: 'unixbench',
    version: '5.1.3',
    options: { ...options } as Record<string, unknown>,
    estimateSeconds: (cpus: number) => unixbenchSeconds(options, cpus) + 60,
  };
  if (o.dryRun) {
    return { ...base, prepare: async () => undefined, run: async () => { throw new Error('dry run'); } };
  }
  const source = await resolveUnixbenchSource(o.source);
  throw new PrerequisiteError('UNIXBENCH_LIFECYCLE_MISSING', `the UnixBench lifecycle (install, run, collect in the guest) is not part of this build yet${source ? ` (source ${source} found)` : ''}`, {
    hint: `meanwhile check hosts and guests with --workload shell-loop-probe; ${source ? '' : SOURCE_HINT}`,
  });
}
