/**
 * The LXC method's descriptor: its suite entry (privileged by default as in 2011, a bridge and
 * subnet, a Debian rootfs), its spec, its static address for the suite's checks, its estimate,
 * its provider, destroy from a record (through the container's marker and veth proofs) and doctor.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { ProviderDescriptor } from '../../core/provider.js';
import type { LxcTarget } from '../../core/targets.js';
import { bridgeName, cidr, debianImageSchema, ipv4, targetFields } from '../target-fields.js';
import { lxcDoctor } from './doctor.js';
import { destroyLxc, isLxcHandle, LxcProvider } from './provider.js';

export const lxcTargetSchema = z.strictObject({
  ...targetFields('lxc'),
  privileged: z.boolean().default(true),
  network: z
    .strictObject({ bridge: bridgeName.default('virtbench0'), subnet: cidr.default('10.213.0.0/24'), address: ipv4.optional() })
    .prefault({}),
  image: debianImageSchema.prefault({}),
  /** From lxc-start to sshd answering in the container: a second on a quiet host, more on a loaded or emulated lab. */
  sshTimeoutSeconds: z.number().int().min(5, { error: 'sshTimeoutSeconds must be at least 5' }).max(3600).default(60),
});
export type LxcSuiteTarget = z.output<typeof lxcTargetSchema>;

export const lxcDescriptor: ProviderDescriptor<LxcTarget, LxcSuiteTarget> = {
  method: 'lxc',
  targetSchema: lxcTargetSchema,
  guestAddress: (t) => (t.network.address ? { field: 'network', bridge: t.network.bridge, subnet: t.network.subnet, address: t.network.address } : undefined),
  toSpec: (t, base) => ({ ...base, method: 'lxc', image: { ...t.image }, privileged: t.privileged, network: { ...t.network }, sshTimeoutSeconds: t.sshTimeoutSeconds }),
  overheadSeconds: () => 60,
  placement: { local: { ok: true }, remote: { ok: true } },
  createProvider: () => new LxcProvider(),
  async destroyFromRecord(g, ctx) {
    if (!isLxcHandle(g.handle)) throw new ProviderError('GUESTS_BAD_RECORD', `record ${g.key ?? g.name} has no LXC handle`, { hint: 'inspect the record file under the state directory' });
    await destroyLxc(ctx.host, g.handle, ctx.progress);
    return `destroyed lxc container ${g.name}`;
  },
  doctor: (host) => lxcDoctor(host),
};
