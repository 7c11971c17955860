/**
 * What the OpenVZ host has: the tool, the OpenVZ kernel (/proc/vz), its version, its CPUs
 * and memory (the "no limit" values for prlctl), and which OS templates can make containers.
 */
import { PrerequisiteError, ProviderError } from '../../core/errors.js';
import type { DoctorCheck } from '../../core/provider.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { OpenvzTool } from './commands.js';
import { detectTool, probeTool, runIfPresent, type DetectedTool } from './tools.js';

export const CHECK_PROC_VZ = ['ls', '-d', '/proc/vz'];
export const CHECK_KERNEL = ['uname', '-r'];
export const CHECK_CPUS = ['nproc'];
export const CHECK_MEMINFO = ['cat', '/proc/meminfo'];
/** vztt's `vzpkg list -O`: installed OS templates, name padded to 34 columns, then the cache date. */
export const LIST_TEMPLATES = ['vzpkg', 'list', '-O'];
/** Legacy OpenVZ without vzpkg: precreated caches (vztmpl-dl) are files in /vz/template/cache. */
export const LIST_TEMPLATE_CACHE = ['ls', '-1', '/vz/template/cache'];

export interface TemplateEntry {
  name: string;
  /** A cache tarball/image exists (vzpkg printed a date, or the file is in the cache dir). */
  cached: boolean;
}

export interface HostReport {
  host: string;
  tool: DetectedTool;
  procVz: boolean;
  kernel: string;
  cpus?: number;
  memoryMiB?: number;
  templates: TemplateEntry[];
  templatesFrom: 'vzpkg' | 'cache-dir';
}

export function hostCheckPlan(hostName: string, tool: OpenvzTool): PlannedCommand[] {
  return [
    { host: hostName, argv: [tool, '--version'], purpose: `check that ${tool} runs on the OpenVZ host` },
    { host: hostName, argv: CHECK_PROC_VZ, purpose: 'check that the running kernel is an OpenVZ kernel (/proc/vz)' },
    { host: hostName, argv: CHECK_KERNEL, purpose: 'record the host kernel (containers share it)' },
    { host: hostName, argv: CHECK_CPUS, purpose: 'count the host CPUs' },
    { host: hostName, argv: CHECK_MEMINFO, purpose: 'read the host memory' },
    { host: hostName, argv: LIST_TEMPLATES, purpose: 'list the OS templates (fallback: ls -1 /vz/template/cache)' },
  ];
}

export function parseVzpkgList(stdout: string): TemplateEntry[] {
  const out: TemplateEntry[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)(?:\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d))?\s*$/.exec(line);
    if (m) out.push({ name: m[1]!.replace(/^\./, ''), cached: m[2] !== undefined });
  }
  return out;
}

/** "centos-6-x86_64.tar.gz", "centos-7-x86_64.plain.ploopv2.tar.lz4" -> the template name. */
export function parseCacheDir(stdout: string): TemplateEntry[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /\.(tar\.(gz|xz|lz4|bz2)|qcow2)$/.test(l))
    .map((l) => ({ name: l.replace(/(\.plain\.ploopv2|\.ploopv2|\.plain)?\.(tar\.(gz|xz|lz4|bz2)|qcow2)$/, ''), cached: true }));
}

export function parseMemTotalMiB(meminfo: string): number | undefined {
  const m = /^MemTotal:\s+(\d+) kB/m.exec(meminfo);
  return m ? Math.floor(Number(m[1]) / 1024) : undefined;
}

export async function checkHost(host: CommandHost, want: 'auto' | OpenvzTool, signal?: AbortSignal): Promise<HostReport> {
  const tool = await detectTool(host, want, signal);
  const procVz = await runIfPresent(host, CHECK_PROC_VZ, signal);
  const kernel = (await host.run(CHECK_KERNEL, { signal })).stdout.trim();
  const nproc = await runIfPresent(host, CHECK_CPUS, signal);
  const meminfo = await runIfPresent(host, CHECK_MEMINFO, signal);
  const report: HostReport = {
    host: host.name,
    tool,
    procVz: procVz?.exitCode === 0,
    kernel,
    cpus: nproc?.exitCode === 0 ? Number(nproc.stdout.trim()) || undefined : undefined,
    memoryMiB: meminfo?.exitCode === 0 ? parseMemTotalMiB(meminfo.stdout) : undefined,
    templates: [],
    templatesFrom: 'vzpkg',
  };
  const vzpkg = await runIfPresent(host, LIST_TEMPLATES, signal);
  if (vzpkg && vzpkg.exitCode === 0) {
    report.templates = parseVzpkgList(vzpkg.stdout);
  } else {
    const ls = await runIfPresent(host, LIST_TEMPLATE_CACHE, signal);
    report.templatesFrom = 'cache-dir';
    report.templates = ls && ls.exitCode === 0 ? parseCacheDir(ls.stdout) : [];
  }
  return report;
}

/** How to get an OS template onto the host, for both generations of tools. */
export function fetchTemplateHint(ostemplate: string): string {
  return `on the OpenVZ host run \`vzpkg install template ${ostemplate}\` and \`vzpkg create cache ${ostemplate}\` (OpenVZ 7), ` +
    `or \`vztmpl-dl ${ostemplate}\` (legacy OpenVZ); \`vzpkg list -O\` shows what is installed`;
}

/** Throws the error a user should see when the host cannot make this container. */
export function requireReady(r: HostReport, ostemplate: string): void {
  if (!r.procVz) {
    throw new PrerequisiteError('OPENVZ_KERNEL_MISSING', `on ${r.host}: /proc/vz does not exist; kernel ${r.kernel} is not an OpenVZ kernel`, {
      hint: 'boot the host into its OpenVZ (vzkernel) kernel; OpenVZ does not run on a mainline kernel',
    });
  }
  if (!r.templates.some((t) => t.name === ostemplate)) {
    const have = r.templates.map((t) => t.name);
    throw new ProviderError('OPENVZ_TEMPLATE_MISSING', `on ${r.host}: OS template '${ostemplate}' is not installed` +
      (have.length ? ` (installed: ${have.join(', ')})` : ' (no OS templates installed)'), { hint: fetchTemplateHint(ostemplate) });
  }
}

export async function doctorChecks(host: CommandHost): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const vzctl = await probeTool(host, 'vzctl');
  const prlctl = await probeTool(host, 'prlctl');
  checks.push({ provider: 'openvz', what: `vzctl on ${host.name}`, ok: !!vzctl, detail: vzctl?.version ?? 'not found', fix: vzctl ? undefined : 'install OpenVZ 7 (vzctl) on this host' });
  checks.push({ provider: 'openvz', what: `prlctl on ${host.name}`, ok: !!prlctl || !!vzctl, detail: prlctl?.version ?? 'not found (vzctl is enough)' });
  if (!vzctl && !prlctl) return checks;
  const r = await checkHost(host, vzctl ? 'vzctl' : 'prlctl');
  checks.push({ provider: 'openvz', what: 'OpenVZ kernel (/proc/vz)', ok: r.procVz, detail: `kernel ${r.kernel}`, fix: r.procVz ? undefined : 'boot the OpenVZ kernel' });
  const cached = r.templates.filter((t) => t.cached).map((t) => t.name);
  checks.push({
    provider: 'openvz',
    what: 'OS templates',
    ok: r.templates.length > 0,
    detail: r.templates.length ? `${r.templates.map((t) => t.name).join(', ')} (cached: ${cached.join(', ') || 'none'})` : 'none installed',
    fix: r.templates.length ? undefined : fetchTemplateHint('centos-7-x86_64'),
  });
  return checks;
}
