/**
 * The KVM method's descriptor: its suite entry (-cpu host, virtio with cache=none and aio=native
 * as in 2011, `cpus: all`, a kernel of your own or a Debian kernel package, options of an old
 * command line that today's QEMU lacks), its suite checks, dry-run notes, estimate, provider,
 * destroy from a record (through the handle's proofs) and doctor. Guests run on this machine only.
 */
import { z } from 'zod';
import { forgetOwned } from '../ownership.js';
import type { ProviderDescriptor } from '../../core/provider.js';
import type { KvmTarget } from '../../core/targets.js';
import { bridgeName, cidr, debianImageSchema, ipv4, positiveInt, targetFields } from '../target-fields.js';
import { kvmDoctor } from './doctor.js';
import { droppedOptionLines, LEGACY_QEMU_OPTIONS, type LegacyQemuOption } from './legacy-options.js';
import { destroyKvmHandle, KVM_DEFAULTS, KvmProvider } from './provider.js';
import { remoteWorkDir } from './remote-host.js';

const kvmNet = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('user') }),
  z.strictObject({ mode: z.literal('tap'), bridge: bridgeName.default('virtbench0'), subnet: cidr.default('10.213.0.0/24'), address: ipv4.optional() }),
]);

const kvmImage = z.discriminatedUnion('kind', [
  debianImageSchema.extend({ kind: z.literal('debootstrap') }),
  // Accepted by the schema so a suite naming it gets a clear message, not "invalid union"; no provider can boot it yet.
  z.strictObject({ kind: z.literal('cloud'), path: z.string().min(1) }).superRefine((_, ctx) => {
    ctx.addIssue({ code: 'custom', path: ['kind'], message: 'image.kind cloud is not supported yet (no provider can boot a cloud image): use kind: debootstrap' });
  }),
]);

export const kvmTargetSchema = z.strictObject({
  ...targetFields('kvm'),
  accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  cpus: z.union([positiveInt('a vCPU count'), z.literal('all')], { error: 'expected a vCPU count (a whole number >= 1) or "all" (as many as the host has CPUs)' }).default('all'),
  memoryMiB: z.number().int().min(128, { error: 'memoryMiB must be a whole number of at least 128' }).default(2048),
  cpuModel: z.string().regex(/^[A-Za-z0-9_.,=+-]+$/, { error: 'expected a QEMU CPU model such as host or max' }).default('host'),
  disk: z
    .strictObject({
      cache: z.enum(['none', 'writeback', 'writethrough', 'directsync', 'unsafe']).default('none'),
      aio: z.enum(['native', 'threads', 'io_uring']).default('native'),
      sizeGiB: z.number().int().min(2, { error: 'sizeGiB must be a whole number of at least 2' }).default(8),
    })
    .prefault({}),
  net: kvmNet.prefault({ mode: 'user' }),
  hugepages: z.boolean().default(false),
  kernel: z.union([
    z.strictObject({ path: z.string().min(1), initrd: z.string().min(1).optional(), append: z.string().optional() }),
    // A Debian kernel package installed into the image (a second image, cached like the first), booted instead of the image's own.
    z.strictObject({
      package: z.string().regex(/^linux-image-[0-9][A-Za-z0-9.+-]*$/, { error: 'expected a Debian kernel package such as linux-image-6.1.0-47-amd64 (apt-cache search linux-image-6.1.0 lists them)' }),
      append: z.string().optional(),
    }),
  ], { error: 'expected kernel: { path, initrd, append } (your own kernel) or kernel: { package: linux-image-... } (a Debian kernel package)' }).optional(),
  image: kvmImage.prefault({ kind: 'debootstrap' }),
  droppedOptions: z.array(z.enum(Object.keys(LEGACY_QEMU_OPTIONS) as [LegacyQemuOption, ...LegacyQemuOption[]])).optional(),
});
export type KvmSuiteTarget = z.output<typeof kvmTargetSchema>;

export const kvmDescriptor: ProviderDescriptor<KvmTarget, KvmSuiteTarget> = {
  method: 'kvm',
  targetSchema: kvmTargetSchema,
  checkTarget: (t) => (t.cpuModel === 'host' && t.accel === 'tcg'
    ? [{ path: ['cpuModel'], message: "cpuModel 'host' needs KVM; with accel: tcg use 'max' (accel: auto switches to 'max' by itself when it falls back)" }]
    : []),
  guestAddress: (t) => (t.net.mode === 'tap' && t.net.address ? { field: 'net', bridge: t.net.bridge, subnet: t.net.subnet, address: t.net.address } : undefined),
  toSpec: (t, base, ctx) => ({
    ...base,
    method: 'kvm',
    accel: t.accel,
    cpus: t.cpus === 'all' ? 1 : t.cpus,
    memoryMiB: t.memoryMiB,
    cpuModel: t.cpuModel,
    disk: { ...t.disk },
    net: { ...t.net },
    hugepages: t.hugepages,
    kernel: t.kernel && 'path' in t.kernel
      ? { path: ctx.resolvePath(t.kernel.path), ...(t.kernel.initrd ? { initrd: ctx.resolvePath(t.kernel.initrd) } : {}), ...(t.kernel.append !== undefined ? { append: t.kernel.append } : {}) }
      : undefined,
    ...(t.kernel && 'package' in t.kernel ? { kernelPackage: { name: t.kernel.package, ...(t.kernel.append !== undefined ? { append: t.kernel.append } : {}) } } : {}),
    image: t.image.kind === 'cloud' ? { kind: 'cloud', path: ctx.resolvePath(t.image.path) } : { ...t.image },
    ...(t.droppedOptions?.length ? { droppedOptions: [...t.droppedOptions] } : {}),
  }),
  cpusFromHost: (t) => t.cpus === 'all',
  withHostCpus: (spec, cpus) => ({ ...spec, cpus }),
  vcpus: (spec) => spec.cpus,
  planNotes: (spec) => droppedOptionLines(spec.droppedOptions).map((l) => `not passed to QEMU: ${l}`),
  // TCG (accel auto falls back to it where KVM does not boot) is far slower to boot and build in.
  overheadSeconds: (spec) => (spec.accel !== 'kvm' ? 600 : 120),
  placement: {
    local: { ok: true },
    remote: { ok: true },
  },
  createProvider: () => new KvmProvider(),
  async destroyFromRecord(g, ctx) {
    await destroyKvmHandle(ctx.host, g.handle, KVM_DEFAULTS.powerdownMs, ctx.progress);
    if (g.key !== undefined) await forgetOwned(g.key, ctx.host);
    return `destroyed kvm guest ${g.name}`;
  },
  remoteWorkDir,
  doctor: (host) => kvmDoctor(host, KVM_DEFAULTS.probeDeadlineMs),
};
