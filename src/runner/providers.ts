/**
 * The real provider of each method, made by its descriptor (src/providers/registry.ts). Keyed by
 * the provider's own method, so the runner's providers[spec.method] is the one for that spec.
 */
import type { Provider } from '../core/provider.js';
import type { Method } from '../core/targets.js';
import { DESCRIPTORS } from '../providers/registry.js';

export function defaultProviders(): Partial<Record<Method, Provider>> {
  const out: Partial<Record<Method, Provider>> = {};
  for (const d of DESCRIPTORS) out[d.method] = d.createProvider();
  return out;
}
