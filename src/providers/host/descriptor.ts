/**
 * The bare-metal target's descriptor (suite method `host`): its suite entry, its spec (a remote
 * host's SSH address when it is not this machine), its estimate, its provider, destroy from a
 * record (the private sshd, stopped only when /proc proves it runs our config) and doctor.
 */
import { z } from 'zod';
import type { ProviderDescriptor } from '../../core/provider.js';
import type { BareMetalTarget } from '../../core/targets.js';
import { targetFields } from '../target-fields.js';
import { BareMetalProvider, destroyBareMetal } from './provider.js';

export const bareMetalTargetSchema = z.strictObject({ ...targetFields('host') });
export type BareMetalSuiteTarget = z.output<typeof bareMetalTargetSchema>;

export const bareMetalDescriptor: ProviderDescriptor<BareMetalTarget, BareMetalSuiteTarget> = {
  method: 'host',
  targetSchema: bareMetalTargetSchema,
  toSpec: (_t, base, ctx) => (ctx.remote ? { ...base, method: 'host', ssh: { ...ctx.remote } } : { ...base, method: 'host' }),
  overheadSeconds: () => 40,
  placement: { local: { ok: true }, remote: { ok: true } },
  createProvider: () => new BareMetalProvider(),
  destroyFromRecord: async (g, ctx) => (await destroyBareMetal(g.handle, { ...ctx, key: g.key })) ? `stopped the private sshd of ${g.name}` : `nothing to stop for ${g.name}`,
  doctor: (host) => new BareMetalProvider().doctor(host),
};
