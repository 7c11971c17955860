/**
 * Bring back what UnixBench wrote: the report (HOST-DATE-NN), its .log and .html, and the console
 * output. `Run` can put them in its base directory instead of results/ on a fresh tree (see the
 * fixtures README), so both places are searched; only files newer than the run's claim count.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { WorkloadError } from '../../core/errors.js';
import type { SshSession } from '../../remote/session.js';
import type { RunHandle } from './run.js';

export interface CollectedFiles {
  /** Local directory the files were written to. */
  dir: string;
  /** Local file names (relative to dir). */
  report?: string;
  log?: string;
  html?: string;
  console: string;
  /** Text, for parsing. */
  reportText: string;
  logText?: string;
  consoleText: string;
}

const LIST = [
  'rd=$1; ub=$2',
  'for f in "$rd"/results/* "$ub"/*; do',
  '  [ -f "$f" ] || continue',
  '  case "${f##*/}" in *-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]*) ;; *) continue;; esac',
  '  [ "$f" -nt "$rd/claim" ] || [ "${f%/*}" = "$rd/results" ] || continue',
  '  echo "$f"',
  'done',
].join('\n');

export async function collectRun(session: SshSession, handle: RunHandle, localDir: string): Promise<CollectedFiles> {
  await mkdir(localDir, { recursive: true });
  const listed = await session.exec(['sh', '-c', LIST, 'sh', handle.runDir, handle.installDir], { retryOnDisconnect: true, timeoutMs: 60_000 });
  const files = listed.stdout.split('\n').filter(Boolean);
  const report = files.find((f) => !f.endsWith('.log') && !f.endsWith('.html'));
  const got: Partial<CollectedFiles> = { dir: localDir };
  for (const f of files) {
    const name = posix.basename(f);
    await session.download(f, join(localDir, name));
    if (f === report) got.report = name;
    else if (report && f === `${report}.log`) got.log = name;
    else if (report && f === `${report}.html`) got.html = name;
  }
  await session.download(posix.join(handle.runDir, 'console.txt'), join(localDir, 'console.txt')).catch(() => undefined);
  const consoleText = await readFile(join(localDir, 'console.txt'), 'utf8').catch(() => '');
  if (!report && !consoleText) {
    throw new WorkloadError('UNIXBENCH_NO_OUTPUT', `UnixBench run ${handle.tag} on ${session.name} left no report and no console output in ${handle.runDir}`, {
      hint: 'the run may have been killed before it started; run it again',
    });
  }
  return {
    dir: localDir,
    report: got.report,
    log: got.log,
    html: got.html,
    console: 'console.txt',
    reportText: got.report ? await readFile(join(localDir, got.report), 'utf8') : '',
    logText: got.log ? await readFile(join(localDir, got.log), 'utf8') : undefined,
    consoleText,
  };
}
