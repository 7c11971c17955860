/**
 * A KVM handle read back from run.json or an ownership record names files to remove, a PID to
 * kill and a tap to delete. Before any of that: the handle's shape, file names that are exactly
 * the provider's own inside its work folder, the marker the provider wrote in that folder, and a
 * tap name that is the one derived from the run and guest. QEMU itself is killed only when its
 * /proc/<pid>/cmdline names the handle's pid file (process.ts: isOurQemu).
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { isSafeName } from '../../core/contained.js';
import { ProviderError } from '../../core/errors.js';
import type { KvmMachine } from './machine.js';
import { tapName } from './network.js';

export const KVM_MARKER = 'virtbench-owner.json';

const FILES = { overlay: 'overlay.qcow2', qmpSocket: 'qmp.sock', pidFile: 'qemu.pid', consoleLog: 'console.log', factsLog: 'facts.log', stderrLog: 'qemu.log', seed: 'seed.img' } as const;

const handleSchema = z.looseObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/),
  ownershipKey: z.string().refine(isSafeName),
  workDir: z.string().refine((p) => posix.isAbsolute(p) && posix.normalize(p) === p && !p.split('/').includes('..'), { error: 'expected an absolute, normalised path' }),
  pid: z.number().int().positive().optional(),
  pidFile: z.string(),
  qmpSocket: z.string(),
  overlay: z.string(),
  seed: z.string().optional(),
  consoleLog: z.string(),
  factsLog: z.string(),
  stderrLog: z.string(),
  sshPort: z.number().int().min(1).max(65535).optional(),
  tap: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/).optional(),
});

export type ProvenHandle = z.infer<typeof handleSchema>;

export async function writeKvmMarker(m: KvmMachine, workDir: string, ownershipKey: string): Promise<void> {
  await m.writeText(posix.join(workDir, KVM_MARKER), JSON.stringify({ key: ownershipKey, pid: process.pid, createdAt: new Date().toISOString() }) + '\n', 0o600);
}

export interface KvmProof {
  handle: ProvenHandle;
  /** The work folder exists and its marker names this handle: its files may be removed. */
  filesOurs: boolean;
  /** The work folder is gone: there is nothing on disk to remove. */
  nothingOnDisk: boolean;
}

/** Checks a handle; throws ProviderError (KVM_NOT_OURS) when it names anything that is not provably the guest's own. */
export async function proveKvmHandle(m: KvmMachine, raw: Record<string, unknown>): Promise<KvmProof> {
  const r = handleSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ProviderError('KVM_BAD_HANDLE', `KVM guest handle field '${issue.path.join('.')}': ${issue.message}; nothing destroyed`, { hint: 'the run.json or ownership record was edited or damaged: check the guest by hand' });
  }
  const h = r.data;
  for (const [field, file] of Object.entries(FILES)) {
    const value = (h as Record<string, unknown>)[field];
    if (value !== undefined && value !== posix.join(h.workDir, file)) {
      throw new ProviderError('KVM_NOT_OURS', `KVM handle of ${h.name}: ${field} ${JSON.stringify(value)} is not the guest's own file (${posix.join(h.workDir, file)}); nothing destroyed`, {
        hint: 'the run.json or ownership record was edited: check the guest by hand',
      });
    }
  }
  const sep = h.ownershipKey.lastIndexOf('--');
  const runId = sep > 0 ? h.ownershipKey.slice(0, sep) : undefined;
  if (!runId || h.ownershipKey.slice(sep + 2) !== h.name) {
    throw new ProviderError('KVM_NOT_OURS', `KVM handle of ${h.name}: ownership key ${JSON.stringify(h.ownershipKey)} is not "<run-id>--${h.name}"; nothing destroyed`, { hint: 'the record was edited: check the guest by hand' });
  }
  if (h.tap !== undefined && h.tap !== tapName(runId, h.name)) {
    throw new ProviderError('KVM_NOT_OURS', `KVM handle of ${h.name}: tap ${JSON.stringify(h.tap)} is not the one virtbench names for it (${tapName(runId, h.name)}); nothing destroyed`, { hint: 'the record was edited: check the interface by hand' });
  }
  if (!(await m.exists(h.workDir))) return { handle: h, filesOurs: false, nothingOnDisk: true };
  const marker = await m.readText(posix.join(h.workDir, KVM_MARKER)).then((t) => JSON.parse(t) as { key?: unknown }).catch(() => undefined);
  return { handle: h, filesOurs: marker?.key === h.ownershipKey, nothingOnDisk: false };
}
