/**
 * Every virtualization method virtbench knows, one descriptor each (src/providers/<method>/).
 * Adding a method: its folder, and one line here. Everything outside src/providers/ that needs
 * to know about a method asks its descriptor through descriptorOf.
 */
import type { z } from 'zod';
import { ProviderError } from '../core/errors.js';
import type { ProviderDescriptor } from '../core/provider.js';
import type { Method } from '../core/targets.js';
import { bareMetalDescriptor } from './host/descriptor.js';
import { kvmDescriptor } from './kvm/descriptor.js';
import { lxcDescriptor } from './lxc/descriptor.js';
import { openvzDescriptor } from './openvz/descriptor.js';

export const DESCRIPTORS = [
  bareMetalDescriptor,
  lxcDescriptor,
  kvmDescriptor,
  openvzDescriptor,
] as const;

/** A method's validated suite entry, whichever method it is. */
export type SuiteTarget = z.output<(typeof DESCRIPTORS)[number]['targetSchema']>;

const byMethod = new Map<string, ProviderDescriptor>(DESCRIPTORS.map((d): [string, ProviderDescriptor] => [d.method, d]));

/** The descriptor of a method; a method no descriptor has (a damaged record) is a ProviderError. */
export function descriptorOf(method: Method | string): ProviderDescriptor {
  const d = byMethod.get(method);
  if (!d) throw new ProviderError('UNKNOWN_METHOD', `no provider for method ${JSON.stringify(method)}`, { hint: `methods: ${DESCRIPTORS.map((x) => x.method).join(', ')}` });
  return d;
}
