import type { Provider } from '../core/provider.js';
import type { Method } from '../core/targets.js';
import { BareMetalProvider } from '../providers/host/provider.js';
import { KvmProvider } from '../providers/kvm/provider.js';
import { LxcProvider } from '../providers/lxc/provider.js';
import { OpenvzProvider } from '../providers/openvz/provider.js';

/** The real provider of each method. */
export function defaultProviders(): Partial<Record<Method, Provider>> {
  return {
    host: new BareMetalProvider() as unknown as Provider,
    lxc: new LxcProvider() as unknown as Provider,
    kvm: new KvmProvider() as unknown as Provider,
    openvz: new OpenvzProvider() as unknown as Provider,
  };
}
