/**
 * Guests that run.json says still exist (the run crashed, or destroying one failed) are
 * destroyed before a resumed run starts anything, from their recorded handle through their
 * method's descriptor (destroyFromRecord: the same path as `virtbench guests destroy`).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isInside, pathInside } from '../core/contained.js';
import type { CommandHost } from '../core/host.js';
import type { RunKey } from '../core/provider.js';
import { silentProgress } from '../core/progress.js';
import { DESCRIPTORS, descriptorOf } from '../providers/registry.js';
import { resultIdOf } from '../suite/order.js';
import type { SuiteHost } from '../suite/plan.js';
import type { EventSink } from './progress/events.js';
import type { RunStateFile } from './run-state.js';

export async function destroyLeftovers(
  file: RunStateFile,
  deps: { openHost: (h: SuiteHost, key: RunKey) => Promise<CommandHost>; key: RunKey; emit: EventSink },
): Promise<number> {
  const s = file.state;
  const left = Object.values(s.steps).filter((st) => st.guest);
  let destroyed = 0;
  for (const st of left) {
    const g = st.guest!;
    const step = Object.values(s.schedule).flat().find((x) => resultIdOf(x) === st.resultId);
    const suiteHost = s.plan.hosts.find((h) => h.name === step?.host);
    if (!suiteHost || !DESCRIPTORS.some((d) => d.method === g.method)) continue;
    // A guest's own folder (KVM's overlay and sockets, the host's private sshd) lies in this run's
    // .work/, or on a remote host in the one folder its method keeps there for this run and guest.
    const own = [g.handle.workDir, g.handle.dir].filter((p): p is string => typeof p === 'string');
    const remoteDir = suiteHost.kind === 'remote' ? descriptorOf(g.method).remoteWorkDir?.(s.runId, g.name) : undefined;
    const stray = own.find((p) => !isInside(join(file.runDir, '.work'), p) && p !== remoteDir);
    if (stray !== undefined || [g.handle.workDir, g.handle.dir].some((p) => p !== undefined && typeof p !== 'string')) {
      deps.emit({ type: 'warning', host: suiteHost.name, message: `run.json names ${JSON.stringify(stray)} for guest ${g.name} (${st.resultId}), outside this run's .work folder: not destroying it; check it by hand (virtbench guests list)` });
      continue;
    }
    deps.emit({ type: 'cleanup', host: suiteHost.name, message: `destroying ${g.method} guest ${g.name} left by an earlier attempt (${st.resultId})` });
    const workDir = pathInside(file.runDir, ['.work', st.resultId]);
    let host: CommandHost | undefined;
    let gone = false;
    try {
      host = await deps.openHost(suiteHost, deps.key);
      await descriptorOf(g.method).destroyFromRecord({ method: g.method, name: g.name, handle: g.handle }, { host, runId: s.runId, progress: silentProgress });
      await file.update((x) => {
        delete x.steps[st.resultId]!.guest;
      });
      destroyed++;
      gone = true;
    } catch (e) {
      deps.emit({ type: 'warning', host: suiteHost.name, message: `could not destroy ${g.name}: ${(e as Error).message}; try: virtbench guests destroy` });
    } finally {
      await host?.close().catch(() => undefined);
      // What a guest that could not be destroyed still uses stays where it is.
      if (gone) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  return destroyed;
}
