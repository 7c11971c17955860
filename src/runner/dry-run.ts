/**
 * `virtbench run --dry-run`: the exact commands a run would send, per host and target (each
 * provider's plan), the workload's command line, the order and the host kernels. Runs nothing.
 */
import { availableParallelism } from 'node:os';
import { InputError } from '../core/errors.js';
import type { Provider, RunKey } from '../core/provider.js';
import type { CommandHost, CommandResult } from '../core/host.js';
import { silentProgress } from '../core/progress.js';
import type { Method } from '../core/targets.js';
import { shellCommand } from '../remote/quote.js';
import { DEFAULT_UNIXBENCH_VERSION, maxSystemCopies } from '../workloads/unixbench/catalogue.js';
import { drawSeed, resultIdOf, scheduleFor } from '../suite/order.js';
import type { RunPlan, SuiteHost } from '../suite/plan.js';
import { descriptorOf } from '../providers/registry.js';

/**
 * A CommandHost that refuses to run anything: --dry-run gives providers this one, so a plan()
 * that tried to act would fail loudly instead of touching a machine.
 */
class PlanOnlyHost implements CommandHost {
  constructor(readonly name: string, readonly isLocal: boolean) {}
  async run(argv: readonly string[]): Promise<CommandResult> {
    throw new InputError('DRY_RUN', `dry run: refusing to run \`${argv.join(' ')}\` on ${this.name}`);
  }
  async writeFile(path: string): Promise<void> {
    throw new InputError('DRY_RUN', `dry run: refusing to write ${path} on ${this.name}`);
  }
  async readFile(path: string): Promise<Buffer> {
    throw new InputError('DRY_RUN', `dry run: refusing to read ${path} on ${this.name}`);
  }
  async close(): Promise<void> {}
}

/**
 * UnixBench 5.1.3 runs at most 16 copies: a target with more CPUs gets an "all CPUs" pass of 16
 * copies (runner: defaultCopies). Said per target where its CPU count is known before the run.
 */
function copiesCapNote(plan: RunPlan, spec: RunPlan['targets'][number]['spec'], host: SuiteHost): string | undefined {
  const o = plan.workload.options;
  const version = o.version ?? DEFAULT_UNIXBENCH_VERSION;
  const max = maxSystemCopies(version);
  if (max === undefined || o.copies?.length) return undefined;
  const cpus = descriptorOf(spec.method).vcpus?.(spec) ?? spec.limits.cpus ?? (host.kind === 'local' ? availableParallelism() : undefined);
  if (cpus === undefined || cpus <= max) return undefined;
  return `UnixBench ${version} runs at most ${max} copies: the "all CPUs" pass on this target (${cpus} CPUs) runs ${max} copies, not ${cpus} (workload.unixbench.version: 6.0.0 has no limit)`;
}

export function hostLabel(h: SuiteHost): string {
  return h.kind === 'local' || !h.ssh ? 'local' : `${h.ssh.user}@${h.ssh.address}:${h.ssh.port}`;
}

/**
 * The exact commands a run would send, per target, from each provider's plan(), plus the
 * workload's command line and the order. Runs nothing and connects to nothing.
 */
export async function dryRunText(plan: RunPlan, o: { providers: Partial<Record<Method, Provider>>; workloadLines: string[]; seed?: number }): Promise<string> {
  const seed = o.seed ?? plan.order.seed ?? drawSeed();
  const out: string[] = [];
  out.push(`suite ${plan.name} (${plan.suiteFile})`);
  out.push(`  ${plan.targets.length} target(s) x ${plan.repetitions} repetition(s); order ${plan.order.mode}, seed ${seed}${plan.order.seed === undefined ? ' (drawn now; a real run draws its own and records it)' : ''}`);
  out.push('  workload:');
  for (const l of o.workloadLines) out.push(`    ${l}`);
  out.push('  order, one benchmark at a time per host, hosts in parallel:');
  for (const [host, steps] of scheduleFor(plan, seed)) out.push(`    ${host}: ${steps.map(resultIdOf).join(' -> ')}`);
  if (plan.kernels) {
    const k = plan.kernels;
    const h = plan.hosts.find((x) => x.name === k.host);
    out.push(`  host kernels on ${k.host}${h ? ` [${hostLabel(h)}]` : ''}: ${k.releases.join(', ')} (the first is the baseline); before a round whose kernel is not running:`);
    if (k.boot === 'grub-reboot') {
      out.push(`    [${k.host}] $ grub-reboot '<the "Advanced options" entry id of the kernel in /boot/grub/grub.cfg>'`, `    [${k.host}] $ systemctl reboot`);
    } else {
      out.push(`    [${k.host}] $ kexec -l /boot/vmlinuz-<release> --initrd=/boot/initrd.img-<release> '--command-line=<its GRUB entry command line>'`, `    [${k.host}] $ systemctl kexec`);
    }
    out.push(`    then reconnect (pinned host key) until a new boot_id answers, within ${k.rebootTimeoutSeconds} s; check uname -r`);
    out.push(`    at the end: [${k.host}] $ grub-editenv /boot/grub/grubenv unset next_entry; systemctl reboot when the default kernel is not the one running`);
  }
  const key: RunKey = { privateKeyPath: 'results/<run-id>/key/id_ed25519', publicKey: 'ssh-ed25519 <the run key, created when the run starts>' };
  // Per host: what runs on this machine and what runs on each remote host over SSH.
  const byHost = plan.hosts.map((h) => ({ suiteHost: h, targets: plan.targets.filter((t) => t.spec.host === h.name) }));
  for (const { suiteHost, targets } of byHost) {
    out.push('');
    out.push(suiteHost.kind === 'local'
      ? `host local (this machine): ${targets.length} target(s)`
      : `host ${suiteHost.name} [${hostLabel(suiteHost)}${suiteHost.ssh?.alias ? `, ~/.ssh/config alias ${suiteHost.ssh.alias}` : ''}]: ${targets.length} target(s); commands run there over one SSH connection, guests are reached through it as a jump host`);
    for (const t of targets) await planTarget(t, suiteHost);
  }
  return out.join('\n') + '\n';

  async function planTarget(t: RunPlan['targets'][number], suiteHost: SuiteHost): Promise<void> {
    const host = new PlanOnlyHost(hostLabel(suiteHost), suiteHost.kind === 'local');
    const d = descriptorOf(t.spec.method);
    let spec = t.spec;
    let note = '';
    if (t.cpusFromHost && d.withHostCpus) {
      const n = suiteHost.kind === 'local' ? availableParallelism() : undefined;
      spec = d.withHostCpus(spec, n ?? 1);
      note = n ? ` (cpus: all -> ${n} on this machine)` : ' (cpus: all -> the remote host\'s CPU count, read with nproc when the run starts; shown as 1)';
    }
    out.push(`target ${t.spec.name} (${t.spec.method}, label "${t.label}") on host ${suiteHost.name} [${host.name}]${note}`);
    const capped = copiesCapNote(plan, spec, suiteHost);
    if (capped) out.push(`  ${capped}`);
    for (const l of d.planNotes?.(spec) ?? []) out.push(`  ${l}`);
    const provider = o.providers[t.spec.method];
    if (!provider) {
      out.push(`  (no ${t.spec.method} provider in this build: cannot show its commands)`);
      return;
    }
    try {
      const cmds = await provider.plan(spec, { host, runId: '<run-id>', workDir: `results/<run-id>/.work/${t.spec.name}-r<n>`, key, progress: silentProgress });
      for (const c of cmds) {
        out.push(`  # ${c.purpose}`);
        out.push(`  [${c.host}] $ ${shellCommand(c.argv)}`);
      }
    } catch (e) {
      out.push(`  cannot plan this target: ${(e as Error).message}`);
    }
  }
}
