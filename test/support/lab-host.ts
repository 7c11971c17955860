import type { Guest } from '../../src/core/guest.js';
import type { ProvisionContext, RunKey } from '../../src/core/provider.js';
import type { ProgressSink } from '../../src/core/progress.js';
import { LocalHost } from '../../src/hosts/local.js';
import { LxcProvider } from '../../src/providers/lxc/provider.js';

/**
 * A lab host made on this machine: a privileged LXC container with nesting on a private bridge
 * of its own, running sshd, reachable only over SSH. Its rootfs is the cached base rootfs's
 * recipe plus the packages LXC needs, built once with debootstrap and cached like any other.
 * Made and destroyed by the real LXC provider, so its ownership record, bridge and cleanup are
 * the provider's own.
 */
export const LAB_PACKAGES = ['lxc', 'lxc-templates', 'debootstrap'];

/**
 * Nesting: LXC's own nesting.conf (package liblxc-common, a dependency of lxc), no AppArmor
 * confinement (nesting.conf names an AppArmor profile; hosts without AppArmor have none to load),
 * and proc, sys and the cgroups mounted read-write (common.conf's "mixed" leaves them partly
 * read-only): the lab's LXC mounts proc and sysfs for its containers and makes their cgroups.
 * Each lxc.mount.auto type replaces the same type given earlier.
 */
export const LAB_NESTING_CONFIG = [
  'lxc.include = /usr/share/lxc/config/nesting.conf',
  'lxc.apparmor.profile = unconfined',
  'lxc.mount.auto = proc:rw sys:rw cgroup:rw',
];

export interface LabHost {
  guest: Guest;
  /** Tears the lab down with everything inside it (nested containers, their bridges and records). */
  destroy(): Promise<void>;
}

export async function makeLabHost(o: { name: string; bridge: string; subnet: string; runId: string; workDir: string; key: RunKey; progress: ProgressSink }): Promise<LabHost> {
  const provider = new LxcProvider({ extraPackages: LAB_PACKAGES, extraConfig: LAB_NESTING_CONFIG, sshTimeoutMs: 120_000 });
  const ctx: ProvisionContext = { host: new LocalHost(), runId: o.runId, workDir: o.workDir, key: o.key, progress: o.progress };
  const guest = await provider.provision(
    {
      name: o.name, method: 'lxc', host: 'local', limits: {}, privileged: true,
      image: { release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian' },
      network: { bridge: o.bridge, subnet: o.subnet },
    },
    ctx,
  );
  return { guest, destroy: () => provider.destroy(guest, ctx) };
}
