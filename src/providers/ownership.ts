import { readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, posix } from 'node:path';
import { ProviderError } from '../core/errors.js';
import { atomicWriteJson, ensureDir } from '../core/fs.js';
import type { CommandHost } from '../core/host.js';
import { stateDir } from '../core/paths.js';
import type { Method } from '../core/targets.js';

/**
 * The harness's own record of what it made on a host: one JSON file per guest or shared
 * resource (a bridge), written before the thing is created and removed after it is destroyed.
 * The record lives on the host the thing lives on: this machine's state directory, or
 * /var/lib/virtbench/owned on a remote host (so any controller can list and destroy it there).
 * `virtbench guests list|destroy` reads these; nothing is ever found by name pattern alone.
 */
export interface OwnedRecord {
  kind: 'guest' | 'bridge';
  method?: Method;
  /** Unique key: "<runId>--<guest>" for guests, "bridge--<name>" for bridges. */
  key: string;
  runId?: string;
  name: string;
  createdAt: string;
  /** PID of the harness process that made it (a dead PID marks a crashed run). */
  ownerPid: number;
  /** The machine that PID lives on (absent in records written before remote hosts: this one). */
  controller?: string;
  /** Provider data needed to destroy it (see Guest.handle). */
  handle: Record<string, unknown>;
}

/** Where records live on a remote host (LXC and QEMU need root there anyway). */
export const REMOTE_OWNED_DIR = '/var/lib/virtbench/owned';

const KEY_RE = /^[A-Za-z0-9._-]+$/;

function ownedDir(host?: CommandHost): string {
  return !host || host.isLocal ? join(stateDir(), 'owned') : REMOTE_OWNED_DIR;
}

function fileFor(key: string, host?: CommandHost): string {
  if (!KEY_RE.test(key)) throw new Error(`invalid ownership key: ${JSON.stringify(key)}`);
  return posix.join(ownedDir(host), `${key}.json`);
}

const isRemote = (host?: CommandHost): host is CommandHost => !!host && !host.isLocal;

/** Write (or rewrite) a record on `host` (this machine when absent). */
export async function recordOwned(
  rec: Omit<OwnedRecord, 'createdAt' | 'ownerPid' | 'controller'> & Partial<Pick<OwnedRecord, 'createdAt' | 'ownerPid' | 'controller'>>,
  host?: CommandHost,
): Promise<OwnedRecord> {
  const full: OwnedRecord = { createdAt: new Date().toISOString(), ownerPid: process.pid, controller: hostname(), ...rec };
  if (isRemote(host)) {
    await host.run(['mkdir', '-p', '-m', '700', REMOTE_OWNED_DIR]);
    await host.writeFile(fileFor(full.key, host), JSON.stringify(full, null, 2) + '\n', 0o600);
    return full;
  }
  await ensureDir(ownedDir());
  await atomicWriteJson(fileFor(full.key), full);
  return full;
}

export async function forgetOwned(key: string, host?: CommandHost): Promise<void> {
  if (isRemote(host)) {
    await host.run(['rm', '-f', fileFor(key, host)]);
    return;
  }
  await rm(fileFor(key), { force: true });
}

/** Every record on `host` (this machine when absent), each checked for its shape. */
export async function listOwned(host?: CommandHost): Promise<OwnedRecord[]> {
  const dir = ownedDir(host);
  let names: string[];
  if (isRemote(host)) {
    const r = await host.run(['find', dir, '-maxdepth', '1', '-type', 'f', '-name', '*.json'], { allowFailure: true });
    if (r.exitCode !== 0) {
      if ((await host.run(['test', '-d', dir], { allowFailure: true })).exitCode !== 0) return [];
      throw new ProviderError('OWNED_UNREADABLE', `cannot list ${dir} on ${host.name}: ${r.stderr.trim()}`, { hint: 'check the permissions of that directory' });
    }
    names = r.stdout.split('\n').filter(Boolean).map((p) => posix.basename(p));
  } else {
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }
  const out: OwnedRecord[] = [];
  for (const n of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const path = posix.join(dir, n);
    const text = isRemote(host) ? (await host.readFile(path)).toString('utf8') : await readFile(path, 'utf8');
    out.push(parseRecord(text, `${isRemote(host) ? `${host.name}:` : ''}${path}`));
  }
  return out;
}

/** A record as read back from disk: JSON of the right shape, or an error naming the file. */
export function parseRecord(text: string, where: string): OwnedRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ProviderError('OWNED_BAD_RECORD', `ownership record ${where} is not JSON: ${(e as Error).message}`, { hint: 'inspect it; remove it by hand if it is not needed', location: { file: where } });
  }
  const r = v as Partial<OwnedRecord> | null;
  const bad = (field: string) =>
    new ProviderError('OWNED_BAD_RECORD', `ownership record ${where} has no valid '${field}'`, { hint: 'inspect it; remove it by hand if it is not needed', location: { file: where, field } });
  if (!r || typeof r !== 'object') throw bad('kind');
  if (r.kind !== 'guest' && r.kind !== 'bridge') throw bad('kind');
  if (typeof r.key !== 'string' || !KEY_RE.test(r.key)) throw bad('key');
  if (typeof r.name !== 'string') throw bad('name');
  if (typeof r.createdAt !== 'string') throw bad('createdAt');
  if (typeof r.ownerPid !== 'number' || !Number.isInteger(r.ownerPid)) throw bad('ownerPid');
  if (!r.handle || typeof r.handle !== 'object' || Array.isArray(r.handle)) throw bad('handle');
  if (r.controller !== undefined && typeof r.controller !== 'string') throw bad('controller');
  return r as OwnedRecord;
}

/**
 * True when the process that made a record is gone (its run crashed or was killed). A record
 * made by another controller cannot be judged from here: it counts as still owned.
 */
export function ownerIsGone(rec: OwnedRecord): boolean {
  if (rec.controller !== undefined && rec.controller !== hostname()) return false;
  try {
    process.kill(rec.ownerPid, 0);
    return false;
  } catch {
    return true;
  }
}
