/**
 * Which OpenVZ command-line tool the host has. Legacy OpenVZ (2.6.18/2.6.32 kernels, the
 * 2011 setup) has only vzctl; OpenVZ 7 / Virtuozzo 7 ship vzctl and prlctl. `auto` takes
 * vzctl when present (the tool of the 2011 comparison), else prlctl.
 */
import { PrerequisiteError } from '../../core/errors.js';
import type { CommandHost, CommandResult } from '../../core/host.js';
import { toolVersion, type OpenvzTool } from './commands.js';

export interface DetectedTool {
  tool: OpenvzTool;
  /** First line of `<tool> --version`: "vzctl v.7.0.200" / "prlctl version 7.0.200". */
  version: string;
}

/** Runs argv; a missing program (ENOENT locally, exit 127 over SSH) comes back as undefined. */
export async function runIfPresent(host: CommandHost, argv: readonly string[], signal?: AbortSignal): Promise<CommandResult | undefined> {
  let r: CommandResult;
  try {
    r = await host.run(argv, { allowFailure: true, signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    // LocalHost throws when the program does not exist; anything else is a real failure.
    if (/ENOENT|not found|install the program/i.test(String((e as Error).message) + String((e as { hint?: string }).hint ?? ''))) return undefined;
    throw e;
  }
  if (r.exitCode === 127 || (r.exitCode === 126 && /not found|No such file/i.test(r.stderr))) return undefined;
  return r;
}

export async function probeTool(host: CommandHost, tool: OpenvzTool, signal?: AbortSignal): Promise<DetectedTool | undefined> {
  const r = await runIfPresent(host, toolVersion(tool), signal);
  if (!r || r.exitCode !== 0) return undefined;
  const version = (r.stdout.trim() || r.stderr.trim()).split('\n')[0] ?? tool;
  return { tool, version };
}

export async function detectTool(host: CommandHost, want: 'auto' | OpenvzTool, signal?: AbortSignal): Promise<DetectedTool> {
  const order: OpenvzTool[] = want === 'auto' ? ['vzctl', 'prlctl'] : [want];
  for (const tool of order) {
    const found = await probeTool(host, tool, signal);
    if (found) return found;
  }
  const what = want === 'auto' ? 'neither vzctl nor prlctl' : want;
  throw new PrerequisiteError('OPENVZ_TOOL_MISSING', `on ${host.name}: ${what} found (\`${toolVersion(order[0]!).join(' ')}\` did not run)`, {
    hint: want === 'prlctl'
      ? 'this host has no prlctl: use tool: vzctl (or auto), or install Virtuozzo/OpenVZ 7 tools'
      : 'point the target at an OpenVZ host (OpenVZ 7: https://openvz.org; its installer sets up vzctl and prlctl) and check that root can run vzctl',
  });
}
