/**
 * A suite host as a CommandHost: this machine through execa, a remote one over SSH with the
 * suite's key (or the run's own key, which the user then installed on it) and its pinned host key.
 */
import type { RunKey } from '../core/provider.js';
import type { CommandHost } from '../core/host.js';
import { LocalHost } from '../hosts/local.js';
import { SshHost } from '../remote/ssh-host.js';
import type { SuiteHost } from '../suite/plan.js';

export async function openSuiteHost(host: SuiteHost, key: RunKey, opts: { signal?: AbortSignal; deadlineMs?: number } = {}): Promise<CommandHost> {
  if (host.kind === 'local' || !host.ssh) return new LocalHost();
  const ssh = host.ssh;
  return SshHost.connect(
    {
      host: ssh.address,
      port: ssh.port,
      user: ssh.user,
      privateKeyPath: ssh.privateKeyPath ?? key.privateKeyPath,
      hostKey: ssh.hostKey,
      trustOnFirstUse: ssh.trustOnFirstUse,
    },
    { deadlineMs: opts.deadlineMs ?? 30_000, signal: opts.signal },
  );
}
