/**
 * A `host` target is bare metal only when nothing says otherwise: when its environment manifest
 * records a hypervisor or container (systemd-detect-virt: qemu, kvm, docker, lxc, ...), the result
 * is labelled with it wherever it appears, as emulated (TCG) results are.
 */
import type { ResultDoc } from './model.js';

export function hostVirtualization(r: ResultDoc): string | undefined {
  if (r.target.method !== 'host') return undefined;
  const v = (r.manifest?.virtualization ?? r.hostManifest?.virtualization)?.trim();
  return v && v !== 'none' ? v.replace(/[^A-Za-z0-9._-]/g, '') || undefined : undefined;
}

export const virtualizedMarker = (what: string): string => `virtualized: ${what}`;
