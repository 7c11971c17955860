/**
 * UnixBench as the runner's workload: the source resolved once, then install, run, collect and
 * parse in each guest, and its command lines for --dry-run.
 */
import { DEFAULT_UNIXBENCH_VERSION, isUnixBenchVersion, maxSystemCopies } from '../workloads/unixbench/catalogue.js';
import { resolveUnixBenchSource } from '../workloads/unixbench/source.js';
import type { UnixBenchInstall } from '../workloads/unixbench/install.js';
import { UnixBenchWorkload, type UnixBenchRunOptions } from '../workloads/unixbench/workload.js';
import { collectHostManifest } from '../workloads/manifest.js';
import { shellCommand } from '../remote/quote.js';
import type { RunPlan } from '../suite/plan.js';
import { unixbenchSeconds } from './progress/estimate.js';
import type { RunnerWorkload, StepContext, WorkloadOutcome } from './workload-port.js';

/** `./Run` as the lifecycle will start it, for --dry-run. */
export function runArgv(o: RunPlan['workload']['options']): string[] {
  const argv = ['./Run'];
  if (o.iterations !== undefined) argv.push('-i', String(o.iterations));
  // Without copies, ./Run would run 1 and /proc's CPU count; the lifecycle passes them explicitly
  // (1 and the CPUs the guest can really use), since a container without lxcfs shows the host's.
  if (o.copies) for (const c of o.copies) argv.push('-c', String(c));
  else argv.push('-c', '1', '-c', '<CPUs the guest can use>');
  argv.push(...(o.tests ?? []));
  return argv;
}

/** What --dry-run shows for the workload. */
export function unixbenchCommandLines(plan: RunPlan): string[] {
  const o = plan.workload.options;
  const secs = unixbenchSeconds(o, 2);
  const version = o.version ?? DEFAULT_UNIXBENCH_VERSION;
  const max = maxSystemCopies(version);
  return [
    `UnixBench ${version}${max === undefined ? ' (no copies limit)' : ` (at most ${max} copies: on a guest with more CPUs the "all CPUs" pass runs ${max})`}, profile ${plan.workload.profile}${plan.workload.profile === 'default' ? ' (as in 2011: no -i or test list; copies 1 and all usable CPUs, given explicitly)' : ''}`,
    `in each guest: ${shellCommand(['env', `LANG=${o.locale}`, `LC_ALL=${o.locale}`, ...runArgv(o)])}`,
    `about ${Math.round(secs / 60)} min of UnixBench per guest on 2 CPUs (more CPUs add a copies pass when -c is not given)`,
  ];
}

/**
 * The UnixBench workload of a suite, on the UnixBench lifecycle (src/workloads/unixbench/):
 * install and build in the guest, run detached, follow, collect the raw files into the result
 * folder, parse. For --dry-run nothing is resolved.
 */
export async function unixbenchWorkload(plan: RunPlan, o: { source?: string; dryRun: boolean }): Promise<RunnerWorkload> {
  const options = plan.workload.options;
  if (o.dryRun) {
    return {
      name: 'unixbench', version: options.version ?? DEFAULT_UNIXBENCH_VERSION, options: { ...options },
      estimateSeconds: (cpus) => unixbenchSeconds(options, cpus),
      prepare: async () => undefined,
      run: async () => {
        throw new Error('dry run');
      },
    };
  }
  const version = options.version ?? DEFAULT_UNIXBENCH_VERSION;
  if (!isUnixBenchVersion(version)) throw new Error(`UnixBench version ${version} is not one the harness pins`);
  const source = await resolveUnixBenchSource({ source: o.source, version, allowOtherVersion: options.allowOtherVersion });
  return new UnixBenchRunnerWorkload(new UnixBenchWorkload(source), options);
}

class UnixBenchRunnerWorkload implements RunnerWorkload {
  readonly name = 'unixbench';
  readonly version: string;
  readonly options: Record<string, unknown>;
  private readonly installs = new Map<string, UnixBenchInstall>();

  constructor(private readonly ub: UnixBenchWorkload, private readonly ubOptions: UnixBenchRunOptions) {
    this.version = ub.version;
    this.options = { ...ubOptions };
  }

  estimateSeconds(cpus: number): number {
    return unixbenchSeconds(this.ubOptions, cpus);
  }

  async prepare(ctx: StepContext): Promise<void> {
    this.installs.set(ctx.resultId, await this.ub.prepare(ctx.session, ctx.progress));
  }

  async run(ctx: StepContext): Promise<WorkloadOutcome> {
    const prepared = this.installs.get(ctx.resultId);
    if (!prepared) throw new Error(`UnixBench was not prepared for ${ctx.resultId}`);
    this.installs.delete(ctx.resultId);
    const facts = ctx.guest.facts;
    const cpus = facts.cpusUsable ?? facts.cpusVisible ?? 1;
    let firstTest: number | undefined;
    let collecting: number | undefined;
    const progress = (e: Parameters<StepContext['progress']>[0]) => {
      if (e.step === 'collect' && collecting === undefined) collecting = Date.now();
      ctx.progress(e);
    };
    const tag = `${ctx.resultId}-${ctx.step.repetition}-${Date.now().toString(36)}`;
    const raw = await this.ub.run(ctx.session, { prepared, options: this.ubOptions, tag, localDir: ctx.resultDir, cpus, signal: ctx.signal, onFirstTest: () => (firstTest = Date.now()) }, progress);
    const report = this.ub.parse(raw);
    // The host's environment is worth recording, never worth losing the measurement over.
    const hostManifest = await collectHostManifest(ctx.host).catch((e: unknown) => {
      ctx.progress({ subject: ctx.guest.name, step: 'collect', level: 'warn', message: `host manifest not collected: ${e instanceof Error ? e.message : String(e)}` });
      return undefined;
    });
    const f = raw.files;
    const last = [...report.passes].reverse().find((p) => p.index);
    return {
      // The time ./Run itself ran: from its first test to the start of collecting.
      workloadSeconds: firstTest !== undefined ? ((collecting ?? Date.now()) - firstTest) / 1000 : 0,
      score: last?.index?.score,
      scoreLabel: last?.index?.partial ? 'Index Score (partial)' : 'Index Score',
      rawFiles: [f.report, f.log, f.html, f.console].filter((x): x is string => !!x),
      fields: { unixbench: report, manifest: raw.manifest, hostManifest, workload: { name: 'unixbench', version: this.version, options: this.options } } as WorkloadOutcome['fields'],
    };
  }
}
