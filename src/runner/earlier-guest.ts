/**
 * Before a guest is provisioned: one of the same name that an earlier attempt of this run made and
 * never destroyed (killed while provisioning, before run.json named it) is found by its ownership
 * record on the host and destroyed through its method's descriptor, which first proves it is ours.
 * Otherwise the new one would clash with it (LXC's name, KVM's folder and overlay lock).
 */
import type { CommandHost } from '../core/host.js';
import type { ProgressSink } from '../core/progress.js';
import { listOwned, ownerIsGone } from '../providers/ownership.js';
import { descriptorOf } from '../providers/registry.js';

export async function destroyEarlierAttempt(host: CommandHost, runId: string, name: string, progress: ProgressSink): Promise<boolean> {
  const left = (await listOwned(host)).filter((r) => r.kind === 'guest' && r.runId === runId && r.name === name && r.method !== undefined);
  let destroyed = false;
  for (const rec of left) {
    // An owner still alive is this process or a run that is still going: never touched here.
    if (!(await ownerIsGone(rec))) continue;
    progress({ subject: name, step: 'provision', message: `destroying ${rec.method} guest ${name} left on ${host.name} by an earlier attempt of this run (record ${rec.key})`, level: 'warn' });
    await descriptorOf(rec.method!).destroyFromRecord({ method: rec.method!, name: rec.name, handle: rec.handle, key: rec.key }, { host, runId, progress });
    destroyed = true;
  }
  return destroyed;
}
