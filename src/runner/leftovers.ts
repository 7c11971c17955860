import type { Guest } from '../core/guest.js';
import type { Provider, RunKey } from '../core/provider.js';
import { resultIdOf } from '../suite/order.js';
import type { CommandHost } from '../core/host.js';
import type { Method } from '../core/targets.js';
import type { SuiteHost } from '../suite/plan.js';
import type { EventSink } from './progress/events.js';
import type { RunStateFile } from './run-state.js';
import { silentProgress } from '../core/progress.js';
import { join } from 'node:path';
import { isInside, pathInside } from '../core/contained.js';
import { mkdir, rm } from 'node:fs/promises';

/**
 * Guests that run.json says still exist (the run crashed, or destroying one failed) are
 * destroyed before a resumed run starts anything, through their provider and recorded handle.
 */
export async function destroyLeftovers(
  file: RunStateFile,
  deps: { providers: Partial<Record<Method, Provider>>; openHost: (h: SuiteHost, key: RunKey) => Promise<CommandHost>; key: RunKey; emit: EventSink },
): Promise<number> {
  const s = file.state;
  const left = Object.values(s.steps).filter((st) => st.guest);
  let destroyed = 0;
  for (const st of left) {
    const g = st.guest!;
    const step = Object.values(s.schedule).flat().find((x) => resultIdOf(x) === st.resultId);
    const suiteHost = s.plan.hosts.find((h) => h.name === step?.host);
    const provider = deps.providers[g.method];
    if (!suiteHost || !provider) continue;
    // A guest's own folder (KVM's overlay and sockets, the host's private sshd) lies in this run's .work/.
    const own = [g.handle.workDir, g.handle.dir].filter((p): p is string => typeof p === 'string');
    const stray = own.find((p) => !isInside(join(file.runDir, '.work'), p));
    if (stray !== undefined || [g.handle.workDir, g.handle.dir].some((p) => p !== undefined && typeof p !== 'string')) {
      deps.emit({ type: 'warning', host: suiteHost.name, message: `run.json names ${JSON.stringify(stray)} for guest ${g.name} (${st.resultId}), outside this run's .work folder: not destroying it; check it by hand (virtbench guests list)` });
      continue;
    }
    deps.emit({ type: 'cleanup', host: suiteHost.name, message: `destroying ${g.method} guest ${g.name} left by an earlier attempt (${st.resultId})` });
    const workDir = pathInside(file.runDir, ['.work', st.resultId]);
    await mkdir(workDir, { recursive: true });
    let host: CommandHost | undefined;
    let gone = false;
    try {
      host = await deps.openHost(suiteHost, deps.key);
      await provider.destroy(g as Guest, { host, runId: s.runId, workDir, key: deps.key, progress: silentProgress });
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
