/** `virtbench doctor`: every provider's prerequisites on this host, ok or missing with the fix. */
import type { CommandModule } from 'yargs';
import { InputError } from '../core/errors.js';
import type { DoctorCheck } from '../core/provider.js';
import type { CommandHost } from '../core/host.js';
import { METHODS, type Method } from '../core/targets.js';
import { DESCRIPTORS, descriptorOf } from '../providers/registry.js';
import { openHostArg, withHostOptions, type HostArgs } from './host-option.js';
import { packageChecks } from '../providers/packages.js';
import { unixbenchSourceCheck } from '../workloads/unixbench/source-check.js';

export async function runDoctor(host: CommandHost, methods: readonly Method[]): Promise<DoctorCheck[]> {
  // Every report needs its fonts, whichever providers ran (unless VIRTBENCH_FONT_DIR points elsewhere).
  const out: DoctorCheck[] = process.env.VIRTBENCH_FONT_DIR ? [] : await packageChecks(host, 'report', 'general');
  out.push(await unixbenchSourceCheck());
  for (const p of DESCRIPTORS) {
    if (!methods.includes(p.method)) continue;
    try {
      out.push(...(await p.doctor(host)));
    } catch (e) {
      out.push({ provider: p.method, what: 'doctor', ok: false, detail: `the ${p.method} checks themselves failed: ${(e as Error).message}`, fix: 'run again with --debug and report it' });
    }
  }
  return out;
}

export function formatChecks(checks: DoctorCheck[]): string {
  const lines: string[] = [];
  let last = '';
  for (const c of checks) {
    if (c.provider !== last) {
      lines.push(`${c.provider}:`);
      last = c.provider;
    }
    lines.push(`  ${c.ok ? 'ok     ' : 'MISSING'}  ${c.what}: ${c.detail}`);
    if (!c.ok && c.fix) lines.push(`           fix: ${c.fix}`);
  }
  const missing = checks.filter((c) => !c.ok).length;
  lines.push('', missing ? `${missing} missing` : 'everything is in place');
  return lines.join('\n') + '\n';
}

interface DoctorArgs extends HostArgs {
  debug: boolean;
  method?: string[];
  json: boolean;
}

export const doctorCommand: CommandModule<{ debug: boolean }, DoctorArgs> = {
  command: 'doctor',
  describe: 'check this host\'s prerequisites for each provider and print what is missing, with the fix',
  builder: (y) =>
    withHostOptions(y)
      .option('method', { type: 'string', array: true, describe: `only these providers (${METHODS.join(', ')})` })
      .option('json', { type: 'boolean', default: false, describe: 'print the checks as JSON' })
      .example('$0 doctor --method lxc', 'only the LXC prerequisites') as never,
  handler: async (args) => {
    const methods = (args.method ?? [...METHODS]) as Method[];
    const unknown = methods.filter((m) => !METHODS.includes(m));
    if (unknown.length) throw new InputError('DOCTOR_BAD_METHOD', `unknown method ${unknown.join(', ')}`, { hint: `use one of ${METHODS.join(', ')}`, location: { field: '--method' } });
    const host = await openHostArg(args);
    // A method that cannot put guests on a remote host is not checked there: a suite could not use it.
    let here = host.isLocal ? methods : methods.filter((m) => descriptorOf(m).placement.remote.ok);
    // A method whose guests live on a host of their own (OpenVZ: its patched kernel), never on the
    // machine that runs virtbench, is checked on this machine only when asked for by name.
    const elsewhere = host.isLocal && !args.method ? here.filter((m) => !descriptorOf(m).placement.local.ok) : [];
    here = here.filter((m) => !elsewhere.includes(m));
    const checks = await runDoctor(host, here).finally(() => host.close());
    for (const m of elsewhere) {
      const p = descriptorOf(m).placement;
      process.stdout.write(`${m}: not checked here (${p.local.ok ? '' : p.local.why})${p.doctorElsewhere ? `: ${p.doctorElsewhere}` : ''}\n`);
    }
    if (!host.isLocal) {
      process.stdout.write(`checks on ${host.name}:\n`);
      for (const m of methods.filter((x) => !here.includes(x))) {
        const remote = descriptorOf(m).placement.remote;
        process.stdout.write(`${m}: not checked: ${remote.ok ? 'not asked for' : remote.why}\n`);
      }
    }
    process.stdout.write(args.json ? JSON.stringify(checks, null, 2) + '\n' : formatChecks(checks));
    // Checks marked "(optional)" or "(... only)" do not fail the command.
    if (checks.some((c) => !c.ok && !/\((optional|[^)]* only)\)/.test(c.what))) process.exitCode = 1;
  },
};
