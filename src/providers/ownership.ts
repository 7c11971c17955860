import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteJson, ensureDir } from '../core/fs.js';
import { stateDir } from '../core/paths.js';
import type { Method } from '../core/targets.js';

/**
 * The harness's own record of what it made on this host: one JSON file per guest or shared
 * resource (a bridge), written before the thing is created and removed after it is destroyed.
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
  /** Provider data needed to destroy it (see Guest.handle). */
  handle: Record<string, unknown>;
}

function ownedDir(): string {
  return join(stateDir(), 'owned');
}

function fileFor(key: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(key)) throw new Error(`invalid ownership key: ${JSON.stringify(key)}`);
  return join(ownedDir(), `${key}.json`);
}

export async function recordOwned(rec: Omit<OwnedRecord, 'createdAt' | 'ownerPid'> & Partial<Pick<OwnedRecord, 'createdAt' | 'ownerPid'>>): Promise<OwnedRecord> {
  const full: OwnedRecord = { createdAt: new Date().toISOString(), ownerPid: process.pid, ...rec };
  await ensureDir(ownedDir());
  await atomicWriteJson(fileFor(full.key), full);
  return full;
}

export async function forgetOwned(key: string): Promise<void> {
  await rm(fileFor(key), { force: true });
}

export async function listOwned(): Promise<OwnedRecord[]> {
  let names: string[];
  try {
    names = await readdir(ownedDir());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: OwnedRecord[] = [];
  for (const n of names.filter((n) => n.endsWith('.json')).sort()) {
    out.push(JSON.parse(await readFile(join(ownedDir(), n), 'utf8')) as OwnedRecord);
  }
  return out;
}

/** True when the process that made a record is gone (its run crashed or was killed). */
export function ownerIsGone(rec: OwnedRecord): boolean {
  try {
    process.kill(rec.ownerPid, 0);
    return false;
  } catch {
    return true;
  }
}
