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
    deps.emit({ type: 'cleanup', host: suiteHost.name, message: `destroying ${g.method} guest ${g.name} left by an earlier attempt (${st.resultId})` });
    const workDir = join(file.runDir, '.work', st.resultId);
    await mkdir(workDir, { recursive: true });
    let host: CommandHost | undefined;
    try {
      host = await deps.openHost(suiteHost, deps.key);
      await provider.destroy(g as Guest, { host, runId: s.runId, workDir, key: deps.key, progress: silentProgress });
      await file.update((x) => {
        delete x.steps[st.resultId]!.guest;
      });
      destroyed++;
    } catch (e) {
      deps.emit({ type: 'warning', host: suiteHost.name, message: `could not destroy ${g.name}: ${(e as Error).message}; try: virtbench guests destroy` });
    } finally {
      await host?.close().catch(() => undefined);
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  return destroyed;
}
