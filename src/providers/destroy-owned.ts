/**
 * Destroying what an ownership record names (`virtbench guests destroy`, a resumed run's
 * leftovers): a guest through its method's descriptor (destroyFromRecord, which proves first that
 * what the record names is the harness's own), a bridge by releasing it when nothing uses it.
 */
import { ProviderError } from '../core/errors.js';
import type { DestroyContext } from '../core/provider.js';
import { releaseBridge } from './lxc/network.js';
import type { OwnedRecord } from './ownership.js';
import { descriptorOf } from './registry.js';

/** Destroy one owned thing by its record; says what was done. */
export async function destroyOwned(r: OwnedRecord, ctx: DestroyContext): Promise<string> {
  if (r.kind === 'bridge') {
    const bridge = String(r.handle.bridge ?? r.name);
    return (await releaseBridge(ctx.host, bridge, undefined, ctx.progress)) ? `removed bridge ${bridge}` : `kept bridge ${bridge}: still in use`;
  }
  if (r.method === undefined) throw new ProviderError('GUESTS_BAD_RECORD', `record ${r.key} names a guest but no method`, { hint: 'inspect the record file under the state directory' });
  return descriptorOf(r.method).destroyFromRecord({ method: r.method, name: r.name, handle: r.handle, key: r.key }, { ...ctx, ...(r.runId !== undefined ? { runId: r.runId } : {}) });
}
