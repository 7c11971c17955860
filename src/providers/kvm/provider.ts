/**
 * KVM guests as in 2011 (-cpu host, virtio disk and net, -smp, -m) in today's QEMU: each guest
 * boots the cached Debian disk image through its own qcow2 overlay, gets its identity from a
 * seed disk, is watched through QMP until sshd answers, and is powered down through ACPI.
 * accel auto uses KVM only if a real probe boot works and otherwise falls back to TCG, loudly;
 * a guest run under TCG is marked emulated.
 */
import { posix } from 'node:path';
import { InterruptedError, ProviderError } from '../../core/errors.js';
import type { Guest } from '../../core/guest.js';
import type { ProvisionContext, Provider, DoctorCheck } from '../../core/provider.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import type { KvmTarget } from '../../core/targets.js';
import { cachedDiskImage, planDiskImage, type DiskImage, type DiskImageSpec } from '../images/disk-image.js';
import { diskImageOnHost, planDiskImageUpload } from '../images/disk-image-remote.js';
import { makeSeedDisk, planSeedDisk } from '../images/seed-disk.js';
import { recordOwned } from '../ownership.js';
import { writeKvmMarker } from './ownership-proof.js';
import { kvmVerdict, type AccelVerdict } from './accel.js';
import { bootOnce, type Booted } from './boot.js';
import { BootFailure } from './boot-watch.js';
import { macFor } from '../mac.js';
import { defaultAppend, parseCpuList, qemuArgv, validateKvmTarget, type Accel, type QemuLaunch } from './command-line.js';
import { kvmDoctor } from './doctor.js';
import { kvmFacts, qemuVersion, readGuestReport } from './facts.js';
import { pinVcpus, stopCommands, stopGuest, type KvmHandle } from './lifecycle.js';
import { createTap, guestNetworkConfig, planTap, tapCommands, USER_NET } from './network.js';
import { checkSocketPath } from './preflight.js';
import { jumpThrough } from '../reach.js';
import { kvmMachineFor } from './machine-for.js';
import { hostPreflight, remoteAccel, remoteWorkDir } from './remote-host.js';
import { silentProgress, type ProgressSink } from '../../core/progress.js';

export interface KvmProviderOptions {
  /** Boot-to-SSH deadline per accelerator. */
  bootDeadlineMs?: { kvm: number; tcg: number };
  /** No console output for this long = not booting. */
  stallMs?: { kvm: number; tcg: number };
  powerdownMs?: number;
  probeDeadlineMs?: number;
  /** Forward the guest's SSH to this port instead of a free one (user-mode networking). */
  sshPort?: number;
}

export const KVM_DEFAULTS = { bootDeadlineMs: { kvm: 120_000, tcg: 420_000 }, stallMs: { kvm: 60_000, tcg: 120_000 }, powerdownMs: 60_000, probeDeadlineMs: 20_000 };

interface AccelChoice {
  accel: Accel;
  verdict?: AccelVerdict;
  fallbackReason?: string;
}

export class KvmProvider implements Provider<KvmTarget> {
  readonly method = 'kvm' as const;
  private readonly o: Required<Omit<KvmProviderOptions, 'sshPort'>> & Pick<KvmProviderOptions, 'sshPort'>;

  constructor(options: KvmProviderOptions = {}) {
    this.o = { ...KVM_DEFAULTS, ...options };
  }

  async plan(spec: KvmTarget, ctx: ProvisionContext): Promise<PlannedCommand[]> {
    validateKvmTarget(spec);
    const h = ctx.host.name;
    const imageSpec = this.imageSpec(spec);
    const image = (await cachedDiskImage(ctx.host, imageSpec)) ?? this.plannedImage(imageSpec);
    const out: PlannedCommand[] = image.built ? [...(ctx.host.isLocal ? [] : planDiskImageUpload(ctx.host, imageSpec)), ...planDiskImage(h, imageSpec)] : [];
    const workDir = ctx.host.isLocal ? ctx.workDir : remoteWorkDir(ctx.runId, spec.name);
    const files = this.files(workDir);
    const tap = planTap(spec, ctx.runId);
    const launch = this.launch(spec, image, files, spec.accel === 'tcg' ? 'tcg' : 'kvm', tap ? { mode: 'tap', ifname: tap.ifname } : { mode: 'user', sshPort: this.o.sshPort ?? 0 });
    const size = Math.max(spec.disk.sizeGiB, image.baseSizeGiB);
    if (spec.accel === 'auto') out.push({ host: h, argv: ['qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host', '-kernel', launch.kernel, '-append', 'console=ttyS0 panic=-1 rdinit=/bin/false', '...'], purpose: 'probe: does KVM really boot a kernel here? (else -accel tcg,thread=multi -cpu max, marked emulated)' });
    out.push({ host: h, argv: ['qemu-img', 'create', '-f', 'qcow2', '-F', 'qcow2', '-b', image.base, files.overlay, `${size}G`], purpose: 'copy-on-write overlay for this guest' });
    out.push(...planSeedDisk(h, workDir));
    if (tap) out.push(...tapCommands(h, tap));
    out.push({ host: h, argv: qemuArgv(launch).map((a) => a.replace('127.0.0.1:0-', '127.0.0.1:<free port>-')), purpose: 'start the guest (daemonized, QMP, console log)' });
    out.push(...stopCommands(h, { ...files, seed: posix.join(workDir, 'seed.img'), tap: tap?.ifname }));
    return out;
  }

  async provision(spec: KvmTarget, ctx: ProvisionContext): Promise<Guest> {
    validateKvmTarget(spec);
    const m = kvmMachineFor(ctx.host);
    const { hugepagesPath } = await hostPreflight(ctx.host, spec, this.o.sshPort);
    const image = await diskImageOnHost(ctx.host, this.imageSpec(spec), ctx.progress, ctx.signal);
    const choice = ctx.host.isLocal ? await this.chooseAccel(spec, image, ctx) : await remoteAccel(ctx.host, spec, ctx.progress);

    // On a remote host the guest's files live there, in a folder of its own.
    const workDir = ctx.host.isLocal ? ctx.workDir : remoteWorkDir(ctx.runId, spec.name);
    await m.mkdir(workDir);
    await writeKvmMarker(m, workDir, `${ctx.runId}--${spec.name}`);
    const files = this.files(workDir);
    checkSocketPath(files.qmpSocket);
    const tap = planTap(spec, ctx.runId);
    const sshPort = tap ? 22 : (this.o.sshPort ?? (await m.freePort()));
    const handle: KvmHandle = { name: spec.name, ownershipKey: `${ctx.runId}--${spec.name}`, workDir, ...files, sshPort: tap ? undefined : sshPort, tap: tap?.ifname };
    await recordOwned({ kind: 'guest', method: 'kvm', key: handle.ownershipKey, runId: ctx.runId, name: spec.name, handle }, ctx.host);
    let booted: Booted | undefined;
    try {
      const size = Math.max(spec.disk.sizeGiB, image.baseSizeGiB);
      await ctx.host.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', image.base, files.overlay, `${size}G`]);
      const seed = await makeSeedDisk(ctx.host, workDir, { hostname: spec.name, authorizedKey: ctx.key.publicKey, network: guestNetworkConfig(tap), resolvConf: tap ? undefined : `nameserver ${USER_NET.dns}\n`, growRoot: size > image.baseSizeGiB });
      handle.seed = seed.path;
      if (tap) await createTap(ctx.host, tap);
      const ssh = tap ? { host: tap.address, port: 22 } : { host: '127.0.0.1', port: sshPort };
      const net: QemuLaunch['net'] = tap ? { mode: 'tap', ifname: tap.ifname } : { mode: 'user', sshPort };
      let accel = choice.accel;
      for (;;) {
        const launch = this.launch(spec, image, { ...files, seed: seed.path }, accel, net, hugepagesPath);
        try {
          booted = await bootOnce({ machine: m, launch, handle, runId: ctx.runId, ssh, deadlineMs: this.o.bootDeadlineMs[accel], stallMs: this.o.stallMs[accel], progress: ctx.progress, signal: ctx.signal });
          break;
        } catch (e) {
          // KVM that dies on the real guest although the probe passed: auto falls back here too.
          if (!(e instanceof BootFailure) || accel !== 'kvm' || spec.accel !== 'auto' || (e.reason !== 'internal-error' && e.reason !== 'stalled')) throw e;
          choice.fallbackReason = `the guest did not boot under KVM (${e.reason}); fell back to TCG`;
          ctx.progress({ subject: spec.name, step: 'provision', message: `KVM FAILED (${e.reason}); restarting under TCG: results will be EMULATED, not KVM numbers`, level: 'warn' });
          await stopGuest(ctx.host, { ...handle, seed: undefined, tap: undefined }, { powerdownMs: 0, progress: ctx.progress, keepWorkDir: true }).catch(() => {}); // keeps seed and tap
          await recordOwned({ kind: 'guest', method: 'kvm', key: handle.ownershipKey, runId: ctx.runId, name: spec.name, handle }, ctx.host);
          await ctx.host.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', image.base, files.overlay, `${size}G`]);
          accel = 'tcg';
          choice.accel = 'tcg';
        }
      }
      const kvm = await booted.qmp.queryKvm();
      if (accel === 'kvm' && !kvm.enabled) throw new ProviderError('KVM_NOT_ENABLED', `target '${spec.name}': QEMU reports KVM disabled after start`, { hint: 'use accel: tcg or auto' });
      const cpuset = spec.limits.cpuset ? parseCpuList(spec.limits.cpuset) : undefined;
      const pinning = cpuset ? await pinVcpus(ctx.host, booted.qmp, cpuset) : undefined;
      booted.qmp.close();
      const report = await readGuestReport(() => m.readText(files.factsLog), 30_000, ctx.signal);
      if (ctx.signal?.aborted) throw new InterruptedError(`${spec.name}: provisioning interrupted`);
      const facts = kvmFacts({
        qemuVersion: await qemuVersion(ctx.host), argv: booted.argv, accel, accelRequested: spec.accel, verdict: choice.verdict, fallbackReason: choice.fallbackReason,
        cpuModel: spec.cpuModel, cpus: spec.cpus, memoryMiB: spec.memoryMiB, droppedOptions: spec.droppedOptions,
        kernel: spec.kernel ? { path: spec.kernel.path, initrd: spec.kernel.initrd, source: 'target' } : { path: image.kernel, initrd: image.initrd, source: 'image' },
        image: { key: image.key, kernelRelease: image.kernelRelease }, report, bootSeconds: booted.seconds, pinning, hugepages: spec.hugepages,
      });
      ctx.progress({ subject: spec.name, step: 'provision', message: `SSH up after ${booted.seconds.toFixed(1)} s (${accel}${accel === 'tcg' ? ', EMULATED' : ''}) on ${ssh.host}:${ssh.port}${ctx.host.isLocal ? '' : ` of ${ctx.host.name}`}` });
      return {
        name: spec.name,
        method: 'kvm',
        ssh: { host: ssh.host, port: ssh.port, user: 'root', privateKeyPath: ctx.key.privateKeyPath, hostKey: seed.hostKey, ...jumpThrough(ctx.host) },
        facts: { ...facts, imageVia: image.via, ...(image.uploadSeconds !== undefined ? { imageUploadSeconds: image.uploadSeconds } : {}), ...(ctx.host.isLocal ? {} : { remoteWorkDir: workDir }) },
        emulated: accel === 'tcg',
        handle,
      };
    } catch (e) {
      booted?.qmp.close();
      await stopGuest(ctx.host, handle, { powerdownMs: 0, progress: ctx.progress }).catch((ce) => {
        ctx.progress({ subject: spec.name, step: 'destroy', message: `cleanup after failure also failed: ${(ce as Error).message}`, level: 'error' });
      });
      // An abort cancels whatever was under way (QEMU's start, a wait); that step's own error is only a symptom.
      if (ctx.signal?.aborted && !(e instanceof InterruptedError)) throw new InterruptedError(`${spec.name}: provisioning interrupted`);
      throw e;
    }
  }

  async destroy(guest: Guest, ctx: ProvisionContext): Promise<void> {
    await destroyKvmHandle(ctx.host, guest.handle, this.o.powerdownMs, ctx.progress);
  }

  doctor(host: CommandHost): Promise<DoctorCheck[]> {
    return kvmDoctor(host, this.o.probeDeadlineMs);
  }

  /** auto: KVM only if a real boot works (cached per host kernel / QEMU / guest kernel); kvm: that or fail; tcg: TCG. */
  async chooseAccel(spec: KvmTarget, image: DiskImage, ctx: ProvisionContext): Promise<AccelChoice> {
    if (spec.accel === 'tcg') return { accel: 'tcg' };
    const kernel = spec.kernel ?? { path: image.kernel, initrd: image.initrd };
    ctx.progress({ subject: spec.name, step: 'provision', message: 'probing KVM: booting the guest kernel under KVM with a short deadline' });
    const verdict = await kvmVerdict(await qemuVersion(ctx.host), { kernel: kernel.path, initrd: kernel.initrd, cpuModel: spec.cpuModel, deadlineMs: this.o.probeDeadlineMs, progress: ctx.progress, signal: ctx.signal });
    if (verdict.kvmWorks) return { accel: 'kvm', verdict };
    if (spec.accel === 'kvm') {
      throw new ProviderError('KVM_DOES_NOT_BOOT', `target '${spec.name}': accel is kvm but ${verdict.reason}`, { hint: 'use accel: auto to fall back to TCG (results marked emulated), or fix KVM on this host', location: { field: 'accel' } });
    }
    const fallbackReason = `${verdict.reason}; using TCG emulation`;
    ctx.progress({ subject: spec.name, step: 'provision', message: `KVM DOES NOT WORK HERE (${verdict.reason}). Falling back to TCG: this guest is EMULATED (10-20x slower); its results are not KVM numbers.`, level: 'warn' });
    return { accel: 'tcg', verdict, fallbackReason };
  }

  private imageSpec(spec: KvmTarget): DiskImageSpec {
    if (spec.image.kind !== 'debootstrap') {
      throw new ProviderError('KVM_CLOUD_IMAGE_UNSUPPORTED', `target '${spec.name}': cloud images are not supported yet`, { hint: 'use image.kind: debootstrap', location: { field: 'image.kind' } });
    }
    const base = { release: spec.image.release, arch: spec.image.arch, mirror: spec.image.mirror };
    if (!spec.kernelPackage) return base;
    // linux-image-6.1.0-47-amd64 installs /boot/vmlinuz-6.1.0-47-amd64: the package name minus its prefix.
    return { ...base, extraPackages: [spec.kernelPackage.name], kernelRelease: spec.kernelPackage.name.slice('linux-image-'.length).replace(/-unsigned$/, '') };
  }

  private plannedImage(s: DiskImageSpec): DiskImage {
    const p = planDiskImage('local', s).at(-1)!.argv.at(-1)!;
    return { key: posix.basename(p), dir: p, base: posix.join(p, 'base.qcow2'), baseSizeGiB: s.baseSizeGiB ?? 4, kernel: posix.join(p, 'vmlinuz'), initrd: posix.join(p, 'initrd.img'), kernelRelease: '<image kernel>', built: true };
  }

  private files(workDir: string) {
    const f = (n: string) => posix.join(workDir, n);
    return { overlay: f('overlay.qcow2'), qmpSocket: f('qmp.sock'), pidFile: f('qemu.pid'), consoleLog: f('console.log'), factsLog: f('facts.log'), stderrLog: f('qemu.log') };
  }

  private launch(spec: KvmTarget, image: DiskImage, files: ReturnType<KvmProvider['files']> & { seed?: string }, accel: Accel, net: QemuLaunch['net'], hugepagesPath?: string): QemuLaunch {
    const k = spec.kernel;
    return {
      name: spec.name, accel, cpuModel: spec.cpuModel, cpus: spec.cpus, memoryMiB: spec.memoryMiB, disk: spec.disk,
      overlay: files.overlay, seed: files.seed, net, mac: macFor(spec.name), hugepagesPath,
      kernel: k ? k.path : image.kernel, initrd: k ? k.initrd : image.initrd, append: defaultAppend(k?.append ?? spec.kernelPackage?.append),
      qmpSocket: files.qmpSocket, pidFile: files.pidFile, consoleLog: files.consoleLog, factsLog: files.factsLog,
    };
  }
}

/**
 * Destroy a guest from its handle alone (a live guest, run.json or an ownership record): stopGuest
 * proves first that the handle names the guest's own files, QEMU process and tap.
 */
export async function destroyKvmHandle(host: CommandHost, handle: Record<string, unknown>, powerdownMs: number = KVM_DEFAULTS.powerdownMs, progress: ProgressSink = silentProgress): Promise<void> {
  await stopGuest(host, handle as KvmHandle, { powerdownMs, progress });
}
