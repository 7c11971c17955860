import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/core/progress.js';
import { LocalHost } from '../../src/hosts/local.js';
import { destroyOwned } from '../../src/providers/destroy-owned.js';
import { listOwned, recordOwned } from '../../src/providers/ownership.js';

/**
 * `guests destroy` and a resumed run's leftovers destroy through each method's descriptor
 * (destroyFromRecord). A record of the bare-metal target names a private sshd by PID: a process
 * that is not an sshd running the record's config is never signalled. An OpenVZ record is acted on
 * only on the OpenVZ host it names.
 */
let state: string;
const saved = process.env.VIRTBENCH_STATE;
let victim: ChildProcess | undefined;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vb-destroy-record-'));
  process.env.VIRTBENCH_STATE = state;
});
afterAll(async () => {
  if (victim?.pid && victim.exitCode === null && victim.signalCode === null) victim.kill('SIGKILL');
  if (saved === undefined) delete process.env.VIRTBENCH_STATE;
  else process.env.VIRTBENCH_STATE = saved;
  await rm(state, { recursive: true, force: true });
});

describe('destroy from an ownership record, through the descriptor', () => {
  it('bare metal: a PID that is not our sshd is left running; the record is forgotten', async () => {
    victim = spawn('sleep', ['300'], { stdio: 'ignore' });
    const pid = victim.pid!;
    const dir = join(state, 'work', 'sshd');
    const rec = await recordOwned({ kind: 'guest', method: 'host', key: 'r1--bare', runId: 'r1', name: 'bare', handle: { kind: 'local-sshd', dir, sshdPid: pid, config: join(dir, 'sshd_config') } });
    const said = await destroyOwned(rec, { host: new LocalHost(), progress: silentProgress });
    expect(said).toBe('nothing to stop for bare');
    expect(victim.exitCode).toBeNull();
    expect(victim.signalCode).toBeNull();
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(await listOwned()).toEqual([]);
  });

  it('openvz: a record is not acted on from a machine other than the OpenVZ host it names', async () => {
    const rec = await recordOwned({ kind: 'guest', method: 'openvz', key: 'r2--ct', runId: 'r2', name: 'ct', handle: { tool: 'vzctl', ctid: 4242, ctName: 'vb-ct-4242', host: 'root@192.0.2.7:22' } });
    const e = await destroyOwned(rec, { host: new LocalHost(), progress: silentProgress }).then(() => undefined, (x: unknown) => x);
    expect(e).toMatchObject({ code: 'GUESTS_UNSUPPORTED' });
    expect((e as Error).message).toContain('root@192.0.2.7:22');
    expect((await listOwned()).map((r) => r.key)).toEqual(['r2--ct']);
  });
});
