/**
 * The pinned key of a host from an OpenSSH known_hosts file, plain or hashed (`|1|salt|hash`)
 * entries, `[host]:port` for other ports. Revoked and CA lines are skipped. Prefers ed25519.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function knownHostKey(host: string, port: number, file = join(homedir(), '.ssh', 'known_hosts')): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const name = port === 22 ? host : `[${host}]:${port}`;
  const found: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, type, key] = line.split(/\s+/);
    if (!hosts || !type || !key) continue;
    if (hosts.split(',').some((h) => entryMatches(h, name))) found.push(`${type} ${key}`);
  }
  return found.find((k) => k.startsWith('ssh-ed25519 ')) ?? found[0];
}

function entryMatches(entry: string, name: string): boolean {
  if (entry.startsWith('|1|')) {
    const [, , salt, hash] = entry.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return entry.toLowerCase() === name.toLowerCase();
}
