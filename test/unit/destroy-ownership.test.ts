import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { InputError, ProviderError } from '../../src/core/errors.js';
import { LocalHost } from '../../src/hosts/local.js';
import { vethNameFor } from '../../src/providers/lxc/network.js';
import { destroyLxc } from '../../src/providers/lxc/provider.js';
import { listOwned, ownedDir, recordOwned } from '../../src/providers/ownership.js';

/**
 * Destroy from a record trusts nothing in the record: an interface is deleted only when it is the
 * veth virtbench derives for the container and is a veth. The victims here are interfaces this
 * test creates (a veth pair, a bridge; never the machine's real ones) and removes afterwards.
 */
const root = process.getuid?.() === 0;
const dummies: string[] = [];
let state: string;
const saved = process.env.VIRTBENCH_STATE;

/** A victim interface this test makes: a veth pair (kind 'veth') or a bridge (not a veth); the dummy module is absent here. */
async function victimLink(name: string, kind: 'veth' | 'bridge'): Promise<string> {
  await execa('ip', ['link', 'add', name, 'type', kind, ...(kind === 'veth' ? ['peer', 'name', `${name.slice(0, 13)}p`] : [])]);
  dummies.push(name);
  return name;
}
const linkExists = async (name: string) => (await execa('ip', ['link', 'show', 'dev', name], { reject: false })).exitCode === 0;

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), 'vb-destroy-own-'));
  process.env.VIRTBENCH_STATE = state;
});
afterAll(async () => {
  for (const d of dummies) await execa('ip', ['link', 'del', 'dev', d], { reject: false });
  if (saved === undefined) delete process.env.VIRTBENCH_STATE;
  else process.env.VIRTBENCH_STATE = saved;
  await rm(state, { recursive: true, force: true });
});

describe.skipIf(!root)('LXC destroy from a crafted record', () => {
  const quiet = () => undefined;
  const handle = (container: string, veth: string, lxcPath: string) => ({ container, lxcPath, bridge: 'vbnobridge0', subnet: '10.213.0.0/24', address: '10.213.0.2', veth, recordKey: `run--${container}` });

  it('never deletes an interface that is not the veth derived for the container (the record said eth0)', async () => {
    const victim = await victimLink(`vbtd${randomBytes(3).toString('hex')}`, 'veth');
    const lxcPath = await mkdtemp(join(state, 'lxc-'));
    const e = await destroyLxc(new LocalHost(), handle('victim', victim, lxcPath), quiet).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect((e as ProviderError).code).toBe('LXC_NOT_OURS');
    expect(await linkExists(victim)).toBe(true);
  });

  it('leaves alone an interface with the derived name that is not a veth', async () => {
    const container = `c${randomBytes(3).toString('hex')}`;
    const victim = await victimLink(vethNameFor(container), 'bridge');
    const lxcPath = await mkdtemp(join(state, 'lxc-'));
    await destroyLxc(new LocalHost(), handle(container, victim, lxcPath), quiet);
    expect(await linkExists(victim)).toBe(true);
  });

  it('does not touch a container folder without its marker, whatever the record says', async () => {
    const lxcPath = await mkdtemp(join(state, 'lxc-'));
    await mkdir(join(lxcPath, 'someone'), { recursive: true });
    await writeFile(join(lxcPath, 'someone', 'config'), 'not ours\n');
    const e = await destroyLxc(new LocalHost(), handle('someone', vethNameFor('someone'), lxcPath), quiet).then(() => undefined, (x: unknown) => x);
    expect((e as ProviderError).code).toBe('LXC_NOT_OURS');
    const bad = await destroyLxc(new LocalHost(), { ...handle('x', vethNameFor('x'), '/'), container: '../etc' } as never, quiet).then(() => undefined, (x: unknown) => x);
    expect((bad as ProviderError).code).toBe('LXC_BAD_HANDLE');
  });
});

describe('ownership records read back', () => {
  it('a truncated or edited record is a clear input error naming the file and field, in the CLI too', async () => {
    await recordOwned({ kind: 'bridge', key: 'bridge--vbcut0', name: 'vbcut0', handle: { bridge: 'vbcut0' } });
    const file = join(ownedDir(), 'bridge--vbcut0.json');
    await writeFile(file, '{"kind":"bridge","key":"bridge--vb');
    const e = await listOwned().then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).location?.file).toBe(file);
    await writeFile(file, JSON.stringify({ kind: 'guest', method: 'lxc', key: 'bridge--vbcut0', name: '../../etc', createdAt: 'x', ownerPid: 1, handle: {} }));
    const f = await listOwned().then(() => undefined, (x: unknown) => x);
    expect((f as InputError).location?.field).toBe('name');
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['guests', 'list']);
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(2);
    expect(err.join('')).toContain('bridge--vbcut0.json');
    expect(err.join('')).not.toContain('internal error');
    await rm(file);
  });
});
