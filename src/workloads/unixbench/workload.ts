/**
 * UnixBench as a Workload: prepare (install and build), run (start, follow, collect the raw files)
 * and parse.
 */
import { maxSystemCopies } from './catalogue.js';
import { WorkloadError } from '../../core/errors.js';
import type { ProgressSink } from '../../core/progress.js';
import type { UnixBenchOptions } from '../../core/targets.js';
import type { EnvironmentManifest } from '../../core/manifest.js';
import type { SshSession } from '../../remote/session.js';
import { collectManifest } from '../manifest.js';
import type { Workload, WorkloadRunRequest } from '../workload.js';
import { collectRun, type CollectedFiles } from './collect.js';
import { installUnixBench, type UnixBenchInstall } from './install.js';
import type { UnixBenchReport } from './model.js';
import { parseUnixBench } from './parse.js';
import { failureOf, followRun, startUnixBench, type RunHandle } from './run.js';
import type { UnixBenchSource } from './source.js';

export type UnixBenchRunOptions = Partial<UnixBenchOptions> & { locale: string };

/** What one run brought back: the raw files (already on local disk), the manifest, how it went. */
export interface UnixBenchRaw {
  files: CollectedFiles;
  manifest: EnvironmentManifest;
  exitCode: number;
  handle: RunHandle;
  reconnects: number;
  /** Set when UnixBench failed: the files are kept, the error says why. */
  failure?: { code: string; message: string; hint?: string };
}

/** A UnixBench failure that still carries the raw files it produced. */
export class UnixBenchRunError extends WorkloadError {
  constructor(readonly raw: UnixBenchRaw, cause: WorkloadError) {
    super(cause.code, cause.message, { hint: cause.hint, cause });
  }
}

export class UnixBenchWorkload implements Workload<UnixBenchInstall, UnixBenchRunOptions, UnixBenchRaw, UnixBenchReport> {
  readonly name = 'unixbench';
  /** installDir: where to install on the target (default ~/.virtbench/unixbench-<sha>/UnixBench). */
  constructor(readonly source: UnixBenchSource, private readonly opts: { installDir?: string } = {}) {}

  get version(): string {
    return this.source.version;
  }

  async prepare(session: SshSession, onProgress?: ProgressSink): Promise<UnixBenchInstall> {
    onProgress?.({ subject: session.name, step: 'prepare', message: `installing UnixBench ${this.source.version} (${this.source.sha256.slice(0, 12)})` });
    const inst = await installUnixBench(session, this.source, {
      dir: this.opts.installDir,
      onLog: (line) => onProgress?.({ subject: session.name, step: 'prepare', message: line, level: 'debug' }),
    });
    onProgress?.({ subject: session.name, step: 'prepare', message: inst.reused ? `UnixBench already built in ${inst.dir}` : `built UnixBench in ${inst.dir} with ${inst.compiler}` });
    return inst;
  }

  /** Start (or reattach to) the run named by request.tag, follow it, collect its files, then judge it. */
  async run(session: SshSession, req: WorkloadRunRequest<UnixBenchInstall, UnixBenchRunOptions>, onProgress?: ProgressSink): Promise<UnixBenchRaw> {
    const handle = await startUnixBench(session, { installDir: req.prepared.dir, tag: req.tag, options: req.options, cpus: req.cpus });
    onProgress?.({ subject: req.tag, step: 'run', message: handle.reattached ? `reattached to UnixBench ${req.tag} (pid ${handle.pid})` : `started ./Run ${handle.args.join(' ')} (pid ${handle.pid})` });
    const outcome = await followRun(session, handle, {
      pollMs: req.pollMs,
      signal: req.signal,
      onFirstTest: req.onFirstTest,
      onProgress: (p) =>
        onProgress?.({
          subject: req.tag,
          step: 'run',
          message: p.test ? `${p.test} (${p.copies} ${p.copies === 1 ? 'copy' : 'copies'})${p.pass ? ` pass ${p.pass.index}/${p.pass.total}` : ''}, ${p.testsLeft} test(s) left` : 'starting',
          test: p.test,
          pass: p.pass,
          fraction: p.fraction,
          elapsedSeconds: p.elapsedSeconds,
          remainingSeconds: p.remainingSeconds,
        }),
    });
    onProgress?.({ subject: req.tag, step: 'collect', message: `UnixBench exited ${outcome.exitCode}; collecting` });
    const files = await collectRun(session, handle, req.localDir);
    const manifest = await collectManifest(session, {
      compiler: req.prepared.compiler,
      cflags: req.prepared.cflags,
      unixbench: { version: this.source.version, sourceSha256: this.source.sha256, source: this.source.origin },
    });
    const raw: UnixBenchRaw = { files, manifest, exitCode: outcome.exitCode, handle, reconnects: outcome.reconnects };
    const failure = failureOf(outcome.exitCode, files.consoleText, session.name) ?? emptyPass(this.parseOrUndefined(raw), session.name);
    if (failure) {
      raw.failure = { code: failure.code, message: failure.message, hint: failure.hint };
      throw new UnixBenchRunError(raw, failure);
    }
    return raw;
  }

  parse(raw: UnixBenchRaw): UnixBenchReport {
    const f = raw.files;
    return parseUnixBench({ report: f.reportText, log: f.logText, console: f.consoleText }, f.report ? `${f.dir}/${f.report}` : `${f.dir}/console.txt`, {
      console: `${f.dir}/${f.console}`,
      log: f.log ? `${f.dir}/${f.log}` : undefined,
    });
  }

  private parseOrUndefined(raw: UnixBenchRaw): UnixBenchReport | undefined {
    try {
      return this.parse(raw);
    } catch {
      return undefined;
    }
  }
}

function emptyPass(report: UnixBenchReport | undefined, where: string): WorkloadError | undefined {
  const empty = report?.passes.filter((p) => p.empty) ?? [];
  if (!empty.length) return undefined;
  return new WorkloadError('UNIXBENCH_EMPTY_PASS', `UnixBench on ${where} printed ${empty.length} empty pass(es) (${empty.map((p) => `${p.copies} copies`).join(', ')}): ${report!.version} skips every test above ${maxSystemCopies(report!.version) ?? 16} copies`, {
    hint: 'use at most 16 copies with 5.1.3, or workload.unixbench.version: 6.0.0',
  });
}
