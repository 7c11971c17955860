/**
 * Turns what vzctl/prlctl printed on a failed command into the error a user should read.
 * The patterns are the tools' own messages (libvzctl create.c/vztmpl.c, vz-create_prvt,
 * prlctl PrlSrv.cpp); see test/fixtures/openvz/*.transcript for the full outputs.
 */
import { ProviderError } from '../../core/errors.js';
import type { CommandResult } from '../../core/host.js';
import { fetchTemplateHint } from './host-check.js';

export interface FailedCommand {
  host: string;
  argv: readonly string[];
  result: CommandResult;
}

export function outputTail(r: CommandResult, lines = 6): string {
  return `${r.stdout}\n${r.stderr}`.trim().split('\n').filter((l) => l.trim()).slice(-lines).join('\n    ');
}

export interface CreateContext {
  ctid: number;
  name: string;
  ostemplate: string;
  diskGiB?: number;
}

export function diagnoseCreate(f: FailedCommand, c: CreateContext): ProviderError {
  const text = `${f.result.stdout}\n${f.result.stderr}`;
  const cmd = `\`${f.argv.join(' ')}\` exited ${f.result.exitCode}`;
  const tail = outputTail(f.result);
  // libvzctl create.c: "Container %s already exists" / "Private area %s already exists" (VZCTL_E_FS_PRVT_AREA_EXIST = 44)
  if (/already exists/i.test(text) || f.result.exitCode === 44) {
    return new ProviderError('OPENVZ_CTID_IN_USE', `on ${f.host}: container ${c.ctid} (${c.name}) already exists: ${cmd}:\n    ${tail}`, {
      hint: `choose another ctid for this target, or, if it is a leftover of virtbench, remove it with \`virtbench guests destroy\` (never destroy a container you did not make)`,
    });
  }
  // vztmpl.c: "Error: Unable to find ostemplate: %s", "Unable to get appcache tarball name ...";
  // vztt tmplset.c: "Can not find '%s' EZ os template"; legacy vzctl: "Cache file ... not found"
  if (/Unable to find ostemplate|EZ os template|appcache tarball|Cache file .* not found|Tarball does not exist/i.test(text)) {
    return new ProviderError('OPENVZ_TEMPLATE_MISSING', `on ${f.host}: OS template '${c.ostemplate}' is not available: ${cmd}:\n    ${tail}`, {
      hint: fetchTemplateHint(c.ostemplate),
    });
  }
  // vz-create_prvt: "Insufficient disk space in %s available: %s needed: %s" (VZ_FS_NO_DISK_SPACE = 46);
  // ploop/tar: "No space left on device"; quota: "Disk quota exceeded"
  if (/Insufficient disk space|No space left on device|Not enough (free )?(disk )?space|quota exceeded/i.test(text) || f.result.exitCode === 46) {
    return new ProviderError('OPENVZ_NO_DISK_SPACE', `on ${f.host}: not enough disk space to create container ${c.ctid} from '${c.ostemplate}': ${cmd}:\n    ${tail}`, {
      hint: `free space on the file system holding /vz (df -h /vz) or remove unused containers` +
        (c.diskGiB !== undefined ? `, or lower limits.diskGiB (now ${c.diskGiB})` : ''),
    });
  }
  return new ProviderError('OPENVZ_CREATE_FAILED', `on ${f.host}: creating container ${c.ctid} (${c.name}) failed: ${cmd}:\n    ${tail}`, {
    hint: 'read the output above; /var/log/vzctl.log on the OpenVZ host has the full log',
  });
}

export function stepFailed(f: FailedCommand, purpose: string, hint?: string): ProviderError {
  return new ProviderError('OPENVZ_STEP_FAILED', `on ${f.host}: could not ${purpose}: \`${f.argv.join(' ')}\` exited ${f.result.exitCode}:\n    ${outputTail(f.result)}`, {
    hint: hint ?? 'read the output above; /var/log/vzctl.log on the OpenVZ host has the full log',
  });
}

/** `vzctl status`: "VEID 101 exist mounted running" (OpenVZ 7), "CTID 101 deleted unmounted down" (legacy);
 *  `prlctl status`: "CT name exist running", "VM name deleted". */
export function parseStatus(stdout: string): { exists: boolean; running: boolean; mounted: boolean } {
  const line = stdout.trim().split('\n').pop() ?? '';
  const words = line.split(/\s+/);
  return {
    exists: words.includes('exist'),
    running: words.includes('running') || words.includes('paused'),
    mounted: words.includes('mounted'),
  };
}
