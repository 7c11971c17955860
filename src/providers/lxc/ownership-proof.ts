/**
 * An LXC handle read back from run.json or an ownership record names a container folder to
 * remove and interfaces to delete. Before any of that: its shape, a container name that is a
 * name (not a path), and a veth that is the one virtbench derives from the container's name.
 * The container folder itself is proven by its marker (destroyLxc), the veth by being a veth.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { isSafeName } from '../../core/contained.js';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import { vethNameFor } from './network.js';

const ifname = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/);
const handleSchema = z.looseObject({
  container: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/),
  lxcPath: z.string().refine((p) => posix.isAbsolute(p) && posix.normalize(p) === p && p !== '/' && !p.split('/').includes('..'), { error: 'expected an absolute, normalised path' }),
  bridge: ifname,
  subnet: z.string(),
  address: z.string(),
  veth: ifname,
  recordKey: z.string().refine(isSafeName),
});

export function checkLxcHandle<T extends Record<string, unknown>>(raw: T): T & z.infer<typeof handleSchema> {
  const r = handleSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ProviderError('LXC_BAD_HANDLE', `LXC guest handle field '${issue.path.join('.')}': ${issue.message}; nothing destroyed`, { hint: 'the run.json or ownership record was edited or damaged: check the container by hand' });
  }
  const h = r.data;
  if (h.veth !== vethNameFor(h.container)) {
    throw new ProviderError('LXC_NOT_OURS', `the handle of container ${h.container} names interface ${JSON.stringify(h.veth)}, not the veth virtbench makes for it (${vethNameFor(h.container)}); nothing destroyed`, {
      hint: 'the run.json or ownership record was edited: check the container and its interfaces by hand',
    });
  }
  return raw as T & z.infer<typeof handleSchema>;
}

/** True when the interface exists and is a veth (the host side of a container's pair). */
export async function isVeth(host: CommandHost, name: string): Promise<boolean> {
  const r = await host.run(['ip', '-d', '-j', 'link', 'show', 'dev', name], { allowFailure: true });
  if (r.exitCode !== 0) return false;
  try {
    const links = JSON.parse(r.stdout) as { linkinfo?: { info_kind?: string } }[];
    return links.length === 1 && links[0]!.linkinfo?.info_kind === 'veth';
  } catch {
    return false;
  }
}
