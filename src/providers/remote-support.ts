import type { Method } from '../core/targets.js';

/**
 * Which methods can put a guest on a remote suite host. A suite that puts any other method on
 * one is refused when it is loaded, not halfway through a run.
 */
export const REMOTE_HOST_SUPPORT: Record<Method, { ok: true } | { ok: false; why: string }> = {
  host: { ok: true },
  lxc: { ok: true },
  openvz: { ok: true },
  kvm: { ok: false, why: 'KVM guests run on this machine only for now (QEMU is started, watched and stopped here)' },
};
