/**
 * The bare-metal target (suite method `host`): the machine itself, the baseline every method is
 * measured against, reached over SSH like any guest: this machine through a private sshd the
 * provider starts on 127.0.0.1 (its own config, host key and authorized_keys, stopped by PID in
 * destroy), or a remote machine given by address, user and key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { Guest, SshEndpoint } from '../../core/guest.js';
import type { DoctorCheck, Provider, ProvisionContext } from '../../core/provider.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { BareMetalTarget } from '../../core/targets.js';
import { SshSession } from '../../remote/session.js';
import { startSshd, sshdConfigText, type SshdServer } from '../../remote/sshd-server.js';
import { forgetOwned, recordOwned } from '../ownership.js';
import { packageChecks } from '../packages.js';

const SSHD = '/usr/sbin/sshd';
const live = new Map<number, SshdServer>();

function ownKey(ctx: ProvisionContext, spec: BareMetalTarget): string {
  return `${ctx.runId}--${spec.name}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

async function facts(ep: SshEndpoint): Promise<Guest['facts']> {
  const s = await SshSession.open(ep, { deadlineMs: 30_000 });
  try {
    const r = await s.exec(['sh', '-c', 'uname -r; getconf _NPROCESSORS_ONLN; grep -m1 MemTotal /proc/meminfo'], { timeoutMs: 30_000 });
    const [kernel, cpus, mem] = r.stdout.split('\n');
    return { kernel, cpusVisible: Number(cpus), cpusUsable: Number(cpus), memoryMiB: Math.round(Number(/(\d+)/.exec(mem ?? '')?.[1] ?? 0) / 1024), hostKeyDecision: s.hostKeyDecision };
  } finally {
    await s.close();
  }
}

export class BareMetalProvider implements Provider<BareMetalTarget> {
  readonly method = 'host' as const;

  async plan(spec: BareMetalTarget, ctx: ProvisionContext): Promise<PlannedCommand[]> {
    if (spec.ssh) {
      const a = spec.ssh;
      return [{ host: 'local', argv: ['ssh', '-p', String(a.port), '-i', a.privateKeyPath ?? ctx.key.privateKeyPath, `${a.user}@${a.address}`, 'true'], purpose: `reach ${spec.name} over SSH (host key ${a.hostKey ? 'pinned' : a.trustOnFirstUse ? 'trusted on first use' : 'must be pinned'})` }];
    }
    const dir = join(ctx.workDir, 'sshd');
    return [
      { host: 'local', argv: ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ssh_host_ed25519_key')], purpose: 'host key of the private sshd' },
      { host: 'local', argv: [SSHD, '-D', '-e', '-f', join(dir, 'sshd_config')], purpose: `private sshd on 127.0.0.1 (free port) for ${spec.name}; config:\n${sshdConfigText({ port: 0, dir, hostKeyPath: join(dir, 'ssh_host_ed25519_key'), userEnv: ['SHLVL'] }).replace(/^/gm, '    ')}` },
      { host: 'local', argv: ['kill', '-TERM', '<sshd pid>'], purpose: 'destroy: stop the private sshd by its PID' },
    ];
  }

  async provision(spec: BareMetalTarget, ctx: ProvisionContext): Promise<Guest> {
    if (spec.ssh) {
      const a = spec.ssh;
      const ssh: SshEndpoint = { host: a.address, port: a.port, user: a.user, privateKeyPath: a.privateKeyPath ?? ctx.key.privateKeyPath, hostKey: a.hostKey, trustOnFirstUse: a.trustOnFirstUse };
      ctx.progress({ subject: spec.name, step: 'provision', message: `reaching ${a.user}@${a.address}:${a.port}` });
      const f = await facts(ssh);
      const decision = f.hostKeyDecision as { presented: string } | undefined;
      return { name: spec.name, method: 'host', ssh: { ...ssh, hostKey: ssh.hostKey ?? decision?.presented }, facts: f, emulated: false, handle: { kind: 'remote' } };
    }
    if (!existsSync(SSHD)) throw new ProviderError('SSHD_MISSING', `${SSHD} is not installed: the host target reaches this machine through a private sshd`, { hint: 'apt-get install openssh-server (it need not run as a service)' });
    const key = ownKey(ctx, spec);
    const dir = join(ctx.workDir, 'sshd');
    await recordOwned({ kind: 'guest', method: 'host', key, runId: ctx.runId, name: spec.name, handle: { kind: 'local-sshd', dir } });
    const server = await startSshd({ authorizedKeys: [ctx.key.publicKey], dir });
    live.set(server.pid, server);
    await recordOwned({ kind: 'guest', method: 'host', key, runId: ctx.runId, name: spec.name, handle: { kind: 'local-sshd', dir, sshdPid: server.pid, config: join(dir, 'sshd_config') } });
    ctx.progress({ subject: spec.name, step: 'provision', message: `private sshd on 127.0.0.1:${server.port} (pid ${server.pid})` });
    const ssh: SshEndpoint = { host: '127.0.0.1', port: server.port, user: server.user, privateKeyPath: ctx.key.privateKeyPath, hostKey: server.hostKey };
    try {
      return { name: spec.name, method: 'host', ssh, facts: await facts(ssh), emulated: false, handle: { kind: 'local-sshd', dir, sshdPid: server.pid, config: join(dir, 'sshd_config'), ownKey: key } };
    } catch (e) {
      await server.stop();
      live.delete(server.pid);
      await forgetOwned(key);
      throw e;
    }
  }

  async destroy(guest: Guest, _ctx: ProvisionContext): Promise<void> {
    await destroyBareMetal(guest.handle, {});
  }

  doctor(host: CommandHost): Promise<DoctorCheck[]> {
    return packageChecks(host, 'host', 'host');
  }
}

/**
 * Stops the private sshd a handle names (this process's own, or after a crash one whose
 * /proc/<pid>/cmdline runs the handle's config) and forgets its ownership record. A remote
 * bare-metal target has nothing to stop. True when an sshd was stopped.
 */
export async function destroyBareMetal(handle: Record<string, unknown>, o: { key?: string }): Promise<boolean> {
  const h = handle as { kind?: string; sshdPid?: number; config?: string; ownKey?: string };
  if (h.kind !== 'local-sshd') return false;
  const pid = h.sshdPid;
  let stopped = false;
  if (pid) {
    const server = live.get(pid);
    if (server) {
      await server.stop();
      live.delete(pid);
      stopped = true;
    } else if (isOurSshd(pid, h.config)) {
      // After a crash: the PID must still be an sshd running our config, never just any process.
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && isOurSshd(pid, h.config); i++) await new Promise((r) => setTimeout(r, 100));
      stopped = true;
    }
  }
  const key = typeof h.ownKey === 'string' ? h.ownKey : o.key;
  if (key) await forgetOwned(key);
  return stopped;
}

function isOurSshd(pid: number, config: string | undefined): boolean {
  // The config path comes from a handle read back from disk: only a private sshd's own config counts.
  if (!Number.isInteger(pid) || pid <= 1 || !config || !config.startsWith('/') || !config.endsWith('/sshd/sshd_config')) return false;
  try {
    // sshd rewrites its title ("sshd: /usr/sbin/sshd -D -e -f <config> [listener] ..."): match "-f <config>" exactly.
    const cmd = `${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()} `;
    return cmd.includes('sshd') && cmd.includes(` -f ${config} `);
  } catch {
    return false;
  }
}

export const bareMetalProvider = new BareMetalProvider();
