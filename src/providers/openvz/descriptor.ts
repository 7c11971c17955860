/**
 * The OpenVZ method's descriptor: its suite entry (vzctl or prlctl, an OS template, a venet or
 * veth address, reached directly or through its host), its estimate, its provider, destroy from a
 * record on the OpenVZ host the record names, and doctor. OpenVZ runs only on a remote host of its
 * own (its patched kernel), never on the machine that runs virtbench.
 */
import { z } from 'zod';
import { ProviderError } from '../../core/errors.js';
import type { ProviderDescriptor } from '../../core/provider.js';
import type { OpenvzTarget } from '../../core/targets.js';
import { ipv4, targetFields } from '../target-fields.js';
import { doctorChecks } from './host-check.js';
import { OpenvzProvider } from './provider.js';

export const openvzTargetSchema = z.strictObject({
  ...targetFields('openvz'),
  tool: z.enum(['auto', 'vzctl', 'prlctl']).default('auto'),
  ctid: z.number().int().min(101, { error: 'ctid must be a whole number from 101 (0-100 are reserved by OpenVZ)' }).max(2147483647).optional(),
  ostemplate: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'expected an OS template name such as debian-12-x86_64 (letters, digits, ".", "_", "-")' }).default('debian-12-x86_64'),
  ipAddress: ipv4,
  netMode: z.enum(['venet', 'veth']).default('venet'),
  reach: z.enum(['direct', 'jump']).default('jump'),
});
export type OpenvzSuiteTarget = z.output<typeof openvzTargetSchema>;

export const openvzDescriptor: ProviderDescriptor<OpenvzTarget, OpenvzSuiteTarget> = {
  method: 'openvz',
  targetSchema: openvzTargetSchema,
  toSpec: (t, base) => ({ ...base, method: 'openvz', tool: t.tool, ctid: t.ctid, ostemplate: t.ostemplate, ipAddress: t.ipAddress, netMode: t.netMode, reach: t.reach }),
  overheadSeconds: () => 180,
  placement: {
    local: { ok: false, why: 'it runs on an OpenVZ host of its own' },
    remote: { ok: true },
    localMessage: "an openvz target needs a remote OpenVZ host (OpenVZ runs only on its own kernel): set 'host:' to one defined under 'hosts:'",
    doctorElsewhere: 'virtbench doctor --host <openvz host> --method openvz',
  },
  createProvider: () => new OpenvzProvider(),
  async destroyFromRecord(g, ctx) {
    const where = g.handle.host;
    // The record lives on the OpenVZ host, as the container does; act only on the host the handle names.
    if (where !== ctx.host.name) {
      throw new ProviderError('GUESTS_UNSUPPORTED', `record ${g.key ?? g.name}: the OpenVZ container lives on ${typeof where === 'string' ? where : 'its OpenVZ host'}, not on ${ctx.host.name}`, {
        hint: 'OpenVZ containers live on the OpenVZ host: destroy them there (vzctl destroy <ctid>)',
      });
    }
    await new OpenvzProvider().destroyRecorded(g.name, g.handle, { host: ctx.host, progress: ctx.progress, key: g.key ?? `${ctx.runId}--${g.name}` });
    return `destroyed openvz container ${String(g.handle.ctid)} on ${ctx.host.name}`;
  },
  doctor: (host) => doctorChecks(host),
};
