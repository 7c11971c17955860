/**
 * A host named by its ~/.ssh/config alias, resolved the way OpenSSH does for the keywords
 * virtbench uses: blocks are read in order, each keyword keeps the first value it is given by a
 * matching `Host` block (or by the lines before the first block). `Match` blocks are skipped;
 * ProxyJump/ProxyCommand are refused (a remote host must be reachable directly; its guests are
 * reached through it).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface SshConfigHost {
  alias: string;
  hostName: string;
  user?: string;
  port?: number;
  identityFile?: string;
  userKnownHostsFile?: string;
}

export type SshConfigLookup = { ok: true; host: SshConfigHost } | { ok: false; message: string };

/** The config file read: VIRTBENCH_SSH_CONFIG, else ~/.ssh/config. */
export function sshConfigPath(): string {
  return process.env.VIRTBENCH_SSH_CONFIG ?? join(homedir(), '.ssh', 'config');
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

/** OpenSSH pattern lists: any positive match and no negated one. */
export function hostMatches(patterns: string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) matched = true;
  }
  return matched;
}

function words(value: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) out.push(m[1] ?? m[2]!);
  return out;
}

const expandHome = (p: string) => (p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

export function resolveSshAlias(alias: string, text: string, configFile = sshConfigPath()): SshConfigLookup {
  const values = new Map<string, string>();
  let active = true; // lines before the first Host block apply to every host
  let sawHost = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+|\s+$/g, '');
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const args = words(m[2]!);
    if (key === 'host') {
      active = hostMatches(args, alias);
      sawHost ||= active;
      continue;
    }
    if (key === 'match') {
      active = false;
      continue;
    }
    if (key === 'include' && active) return { ok: false, message: `${configFile} uses Include, which virtbench does not follow; give the host by address, user and key instead` };
    if (active && args.length && !values.has(key)) values.set(key, args[0]!);
  }
  if (!sawHost) return { ok: false, message: `no 'Host' entry in ${configFile} matches '${alias}'` };
  for (const k of ['proxyjump', 'proxycommand']) {
    if (values.has(k) && values.get(k)!.toLowerCase() !== 'none') {
      return { ok: false, message: `'${alias}' in ${configFile} uses ${k === 'proxyjump' ? 'ProxyJump' : 'ProxyCommand'}, which virtbench does not follow; the remote host must be reachable directly (its guests are reached through it)` };
    }
  }
  const port = values.has('port') ? Number(values.get('port')) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) return { ok: false, message: `'${alias}' in ${configFile} has an invalid Port ${values.get('port')}` };
  const hostName = (values.get('hostname') ?? alias).replace(/%h/g, alias);
  return {
    ok: true,
    host: {
      alias,
      hostName,
      user: values.get('user'),
      port,
      identityFile: values.has('identityfile') ? resolve(expandHome(values.get('identityfile')!.replace(/%d/g, homedir()))) : undefined,
      userKnownHostsFile: values.has('userknownhostsfile') ? resolve(expandHome(values.get('userknownhostsfile')!)) : undefined,
    },
  };
}

/** Read the config file and resolve the alias; an unreadable file is an answer, not an exception. */
export function lookupSshAlias(alias: string, configFile = sshConfigPath()): SshConfigLookup {
  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (e) {
    return { ok: false, message: `cannot read ${configFile} to resolve '${alias}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  return resolveSshAlias(alias, text, configFile);
}
