import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/hosts/local.js';
import { vethNameFor } from '../../src/providers/lxc/network.js';
import { MARKER_FILE } from '../../src/providers/lxc/provider.js';
import { ownedDir, recordOwned } from '../../src/providers/ownership.js';
import { destroyEarlierAttempt } from '../../src/runner/earlier-guest.js';

/**
 * A resumed run meets a guest that an earlier attempt made and never destroyed (SIGKILL while it
 * was provisioned, before run.json named it). Real records and a real LXC destroy path on this
 * machine; the "container" is a folder with virtbench's marker (no container is started), so only
 * the marker decides whether it is removed.
 */
const haveLxc = process.getuid?.() === 0 && (await execa('which', ['lxc-info', 'lxc-destroy', 'ip'], { reject: false })).exitCode === 0;
const RUN = 'vbt-earlier-20261128-000000-abcd';

let root: string;
const previousState = process.env.VIRTBENCH_STATE;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vb-earlier-'));
  process.env.VIRTBENCH_STATE = join(root, 'state');
});
afterAll(async () => {
  if (previousState === undefined) delete process.env.VIRTBENCH_STATE;
  else process.env.VIRTBENCH_STATE = previousState;
  await rm(root, { recursive: true, force: true });
});

async function leftContainer(name: string, markerKey: string, owner: 'gone' | 'alive', runId = RUN) {
  const lxcPath = join(root, 'lxc');
  const dir = join(lxcPath, name);
  await mkdir(join(dir, 'rootfs'), { recursive: true });
  await writeFile(join(dir, MARKER_FILE), JSON.stringify({ key: markerKey, runId }) + '\n');
  const key = `${runId}--${name}`;
  const handle = { container: name, lxcPath, bridge: 'vbtearly0', subnet: '10.231.99.0/24', address: '10.231.99.2', veth: vethNameFor(name), recordKey: key };
  // A dead owner: this PID with another start time (a recycled PID is not the owner).
  await recordOwned({ kind: 'guest', method: 'lxc', key, runId, name, handle, ...(owner === 'gone' ? { ownerPid: process.pid, ownerStart: '1' } : {}) });
  return { dir, key };
}

const records = async () => (await readdir(ownedDir()).catch(() => [] as string[])).sort();

describe.skipIf(!haveLxc)('a guest left by an earlier attempt of the same run', () => {
  it('is destroyed from its record when its owner is gone and the marker is ours; the record goes with it', async () => {
    const { key } = await leftContainer('vbt-early-a', `${RUN}--vbt-early-a`, 'gone');
    const said: string[] = [];
    expect(await destroyEarlierAttempt(new LocalHost(), RUN, 'vbt-early-a', (e) => said.push(e.message))).toBe(true);
    expect(await readdir(join(root, 'lxc'))).not.toContain('vbt-early-a');
    expect(await records()).not.toContain(`${key}.json`);
    expect(said[0]).toMatch(/left on local by an earlier attempt of this run/);
  });

  it('is left alone when its owner still runs, when it is another run\'s, and (an error) when the marker is not ours', async () => {
    await leftContainer('vbt-early-b', `${RUN}--vbt-early-b`, 'alive');
    expect(await destroyEarlierAttempt(new LocalHost(), RUN, 'vbt-early-b', () => undefined)).toBe(false);
    await leftContainer('vbt-early-c', 'other--vbt-early-c', 'gone', 'other-run');
    expect(await destroyEarlierAttempt(new LocalHost(), RUN, 'vbt-early-c', () => undefined)).toBe(false);
    expect(await readdir(join(root, 'lxc'))).toEqual(expect.arrayContaining(['vbt-early-b', 'vbt-early-c']));

    await leftContainer('vbt-early-d', 'someone-else', 'gone');
    const err = await destroyEarlierAttempt(new LocalHost(), RUN, 'vbt-early-d', () => undefined).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('LXC_NOT_OURS');
    expect(await readdir(join(root, 'lxc'))).toContain('vbt-early-d');
    expect(await records()).toContain(`${RUN}--vbt-early-d.json`);
  });
});
