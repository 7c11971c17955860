/**
 * `--host` for commands that act on one machine (guests, doctor): a host of a suite
 * (`--suite lab.yaml --host lab`), an ~/.ssh/config alias, or [user@]address[:port]. The host
 * key comes from --host-key, the suite, or known_hosts, as with ssh; the key from --key, the
 * suite, the alias's IdentityFile, or ~/.ssh/id_ed25519.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../core/errors.js';
import type { CommandHost } from '../core/host.js';
import { LocalHost } from '../hosts/local.js';
import { knownHostKey } from '../remote/known-hosts.js';
import { lookupSshAlias } from '../remote/ssh-config.js';
import { openSuiteHost } from '../runner/hosts.js';
import { loadSuite } from '../suite/load.js';
import type { SuiteHost } from '../suite/plan.js';

export interface HostArgs {
  host?: string;
  suite?: string;
  key?: string;
  hostKey?: string;
  trustOnFirstUse: boolean;
}

export function withHostOptions<T>(y: Argv<T>): Argv<T & HostArgs> {
  return y
    .option('host', { type: 'string', describe: 'act on this machine instead of the local one: a host of --suite, an ~/.ssh/config alias, or [user@]address[:port]' })
    .option('suite', { type: 'string', describe: 'suite file whose hosts: section defines --host' })
    .option('key', { type: 'string', describe: 'private key for --host (default: the suite\'s, the alias\'s IdentityFile, or ~/.ssh/id_ed25519)' })
    .option('host-key', { type: 'string', describe: 'pin --host to this OpenSSH public key line (default: the suite\'s, or known_hosts)' })
    .option('trust-on-first-use', { type: 'boolean', default: false, describe: 'accept an unknown host key of --host' }) as unknown as Argv<T & HostArgs>;
}

const ADDRESS_RE = /^(?:([a-z_][a-z0-9_-]{0,31})@)?([A-Za-z0-9][A-Za-z0-9.-]*)(?::(\d{1,5}))?$/;

export async function resolveHostArg(a: HostArgs): Promise<SuiteHost> {
  if (!a.host || a.host === 'local') return { name: 'local', kind: 'local' };
  let host: SuiteHost | undefined;
  if (a.suite) {
    const plan = await loadSuite(a.suite);
    host = plan.hosts.find((h) => h.name === a.host);
    if (!host) {
      throw new InputError('HOST_UNKNOWN', `${a.suite} has no host '${a.host}' used by a target`, { hint: `hosts there: ${plan.hosts.map((h) => h.name).join(', ')}`, location: { field: '--host' } });
    }
  } else {
    const alias = lookupSshAlias(a.host);
    const m = ADDRESS_RE.exec(a.host);
    if (alias.ok) {
      const c = alias.host;
      const port = c.port ?? 22;
      host = { name: a.host, kind: 'remote', ssh: { address: c.hostName, port, user: c.user ?? 'root', privateKeyPath: c.identityFile, hostKey: knownHostKey(c.hostName, port, c.userKnownHostsFile), alias: a.host } };
    } else if (m) {
      const port = m[3] ? Number(m[3]) : 22;
      host = { name: a.host, kind: 'remote', ssh: { address: m[2]!, port, user: m[1] ?? 'root', hostKey: knownHostKey(m[2]!, port) } };
    } else {
      throw new InputError('HOST_UNKNOWN', `--host ${a.host}: not an ~/.ssh/config alias (${alias.message}) nor [user@]address[:port]`, { hint: 'or name a host of a suite with --suite', location: { field: '--host' } });
    }
  }
  if (host.kind === 'local' || !host.ssh) return host;
  const ssh = { ...host.ssh };
  if (a.key) ssh.privateKeyPath = a.key;
  if (a.hostKey) ssh.hostKey = a.hostKey;
  if (a.trustOnFirstUse) ssh.trustOnFirstUse = true;
  if (!ssh.privateKeyPath) {
    const fallback = join(homedir(), '.ssh', 'id_ed25519');
    if (!existsSync(fallback)) throw new InputError('HOST_NO_KEY', `no private key for --host ${a.host}`, { hint: 'give --key <file> (or IdentityFile in ~/.ssh/config)', location: { field: '--key' } });
    ssh.privateKeyPath = fallback;
  }
  return { ...host, ssh };
}

/** The machine --host names, connected. */
export async function openHostArg(a: HostArgs): Promise<CommandHost> {
  const host = await resolveHostArg(a);
  if (host.kind === 'local') return new LocalHost();
  return openSuiteHost(host, { privateKeyPath: host.ssh!.privateKeyPath!, publicKey: '' });
}
