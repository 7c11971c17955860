/**
 * The harness's own record of what it made on a host: one JSON file per guest or shared
 * resource (a bridge), written before the thing is created and removed after it is destroyed.
 * The record lives on the host the thing lives on: this machine's state directory, or
 * /var/lib/virtbench/owned on a remote host (so any controller can list and destroy it there).
 * `virtbench guests list|destroy` reads these; nothing is ever found by name pattern alone.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, posix } from 'node:path';
import { z } from 'zod';
import { isSafeName } from '../core/contained.js';
import { InputError, ProviderError } from '../core/errors.js';
import { atomicWriteJson, ensureDir } from '../core/fs.js';
import type { CommandHost } from '../core/host.js';
import { stateDir } from '../core/paths.js';
import { ownIdentity, processAlive } from '../core/process-identity.js';
import { METHODS, type Method } from '../core/targets.js';

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
  /** Its start time (/proc/<pid>/stat), so a recycled PID is not taken for the owner. */
  ownerStart?: string;
  /** The machine that PID lives on (absent in records written before remote hosts: this one). */
  controller?: string;
  /** Provider data needed to destroy it (see Guest.handle). */
  handle: Record<string, unknown>;
}

/** Where records live on a remote host (LXC and QEMU need root there anyway). */
export const REMOTE_OWNED_DIR = '/var/lib/virtbench/owned';

export function ownedDir(host?: CommandHost): string {
  return !host || host.isLocal ? join(stateDir(), 'owned') : REMOTE_OWNED_DIR;
}

function fileFor(key: string, host?: CommandHost): string {
  if (!isSafeName(key)) throw new InputError('OWNED_BAD_KEY', `invalid ownership key ${JSON.stringify(key)}`, { hint: 'keys are letters, digits, ".", "_" and "-"' });
  return posix.join(ownedDir(host), `${key}.json`);
}

const isRemote = (host?: CommandHost): host is CommandHost => !!host && !host.isLocal;

/** Write (or rewrite) a record on `host` (this machine when absent). */
export async function recordOwned(
  rec: Omit<OwnedRecord, 'createdAt' | 'ownerPid' | 'controller'> & Partial<Pick<OwnedRecord, 'createdAt' | 'ownerPid' | 'controller'>>,
  host?: CommandHost,
): Promise<OwnedRecord> {
  const me = ownIdentity();
  const full: OwnedRecord = { createdAt: new Date().toISOString(), ownerPid: me.pid, ...(me.startTime && rec.ownerPid === undefined ? { ownerStart: me.startTime } : {}), controller: hostname(), ...rec };
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
      throw new InputError('OWNED_UNREADABLE', `cannot read the ownership records in ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'check the state directory (VIRTBENCH_STATE)', location: { file: dir } });
    }
  }
  const out: OwnedRecord[] = [];
  for (const n of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const path = posix.join(dir, n);
    let text: string;
    try {
      text = isRemote(host) ? (await host.readFile(path)).toString('utf8') : await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
      throw new InputError('OWNED_BAD_RECORD', `cannot read ownership record: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'remove what is not a record file from the state directory', location: { file: path } });
    }
    out.push(parseRecord(text, `${isRemote(host) ? `${host.name}:` : ''}${path}`));
  }
  return out;
}

const safeName = z.string().refine(isSafeName, { error: 'expected letters, digits, ".", "_" and "-" (no "/", no "..")' });

export const ownedRecordSchema = z.looseObject({
  kind: z.enum(['guest', 'bridge']),
  method: z.enum(METHODS as [Method, ...Method[]]).optional(),
  key: safeName,
  runId: safeName.optional(),
  name: safeName,
  createdAt: z.string(),
  ownerPid: z.number().int().positive(),
  ownerStart: z.string().regex(/^\d+$/).optional(),
  controller: z.string().optional(),
  handle: z.record(z.string(), z.unknown()),
});

/** A record as read back from disk: JSON of its schema, or an InputError naming the file and field. */
export function parseRecord(text: string, where: string): OwnedRecord {
  const hint = 'the record was cut or edited: check what it names by hand, then remove the file';
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError('OWNED_BAD_RECORD', `ownership record is not valid JSON (truncated?): ${(e as Error).message}`, { hint, location: { file: where } });
  }
  const r = ownedRecordSchema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.') || '(record)';
    throw new InputError('OWNED_BAD_RECORD', `ownership record field '${field}': ${issue.message}`, { hint, location: { file: where, field } });
  }
  const rec = r.data as OwnedRecord;
  if (`${rec.key}.json` !== posix.basename(where)) {
    throw new InputError('OWNED_BAD_RECORD', `ownership record key ${JSON.stringify(rec.key)} does not match its file name`, { hint, location: { file: where, field: 'key' } });
  }
  return rec;
}

/**
 * True when the process that made a record is gone (its run crashed or was killed). A record
 * made by another controller cannot be judged from here: it counts as still owned.
 */
export async function ownerIsGone(rec: OwnedRecord): Promise<boolean> {
  if (rec.controller !== undefined && rec.controller !== hostname()) return false;
  return !(await processAlive({ pid: rec.ownerPid, startTime: rec.ownerStart }));
}
