import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Guest } from '../../src/core/guest.js';
import type { ProvisionContext, RunKey } from '../../src/core/provider.js';
import type { ProgressEvent } from '../../src/core/progress.js';
import type { KvmTarget } from '../../src/core/targets.js';
import { LocalHost } from '../../src/hosts/local.js';

/** Shared by the kvm-* integration tests: a spec, a context that records progress, an OpenSSH exec. */
export function kvmSpec(name: string, over: Partial<KvmTarget> = {}): KvmTarget {
  return {
    name, method: 'kvm', host: 'local', limits: {}, accel: 'auto', cpus: 2, memoryMiB: 1024, cpuModel: 'host',
    disk: { cache: 'none', aio: 'native', sizeGiB: 4 }, net: { mode: 'user' }, hugepages: false,
    image: { kind: 'debootstrap', release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian' },
    ...over,
  };
}

export function kvmContext(runId: string, workDir: string, key: RunKey, signal?: AbortSignal): ProvisionContext & { events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return {
    host: new LocalHost(), runId, workDir, key, signal, events,
    progress: (e) => {
      events.push(e);
      if (process.env.VIRTBENCH_DEBUG || e.level === 'warn') process.stderr.write(`[${e.subject}] ${e.level ?? 'info'}: ${e.message}\n`);
    },
  };
}

/** Run a fixed command in the guest with the OpenSSH client, pinning the host key the provider returned. */
export async function sshExec(guest: Guest, command: string, dir: string): Promise<{ stdout: string; exitCode: number }> {
  const knownHosts = join(dir, 'known_hosts');
  const hostPattern = guest.ssh.port === 22 ? guest.ssh.host : `[${guest.ssh.host}]:${guest.ssh.port}`;
  await writeFile(knownHosts, `${hostPattern} ${guest.ssh.hostKey}\n`);
  const r = await execa('ssh', [
    '-i', guest.ssh.privateKeyPath, '-p', String(guest.ssh.port), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', `${guest.ssh.user}@${guest.ssh.host}`, command,
  ], { reject: false, stdin: 'ignore', timeout: 120_000 });
  return { stdout: String(r.stdout), exitCode: r.exitCode ?? -1 };
}

export async function pathExists(p: string): Promise<boolean> {
  return execa('test', ['-e', p], { reject: false }).then((r) => r.exitCode === 0);
}

export { pidAlive } from '../support/processes.js';
