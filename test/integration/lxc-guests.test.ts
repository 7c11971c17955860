import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { ownedRows } from '../../src/cli/guests.js';
import { listOwned, recordOwned } from '../../src/providers/ownership.js';
import type { LxcHandle } from '../../src/providers/lxc/provider.js';

/**
 * A run that crashes (SIGKILL) after provisioning leaves a container, a veth and a bridge; `guests
 * list` shows them as orphaned and `guests destroy --all-orphaned` removes them, through the
 * records and the container's marker, never by name.
 */
const isRoot = process.getuid?.() === 0;
const hasLxc = existsSync('/usr/bin/lxc-start');

// Plain JS run by node with the tsx loader; values come through the environment, not the text.
const CHILD = `
import { LocalHost } from './src/hosts/local.ts';
import { LxcProvider } from './src/providers/lxc/provider.ts';
import { createRunKey } from './src/remote/keys.ts';
const key = await createRunKey(process.env.VBT4_DIR + '/key');
const g = await new LxcProvider().provision({
  name: 'vbt4-g', method: 'lxc', host: 'local', limits: {}, privileged: true,
  image: { release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian' },
  network: { bridge: 'vbt4br0', subnet: '10.231.4.0/24' },
}, { host: new LocalHost(), runId: 'vbt4-crash', workDir: process.env.VBT4_DIR, key, progress: () => {} });
process.stdout.write(JSON.stringify(g.handle) + '\\n');
setInterval(() => {}, 1000);
`;

describe.skipIf(!isRoot || !hasLxc)('virtbench guests after a crashed run', () => {
  let dir: string;
  let handle: LxcHandle | undefined;

  beforeAll(async () => {
    dir = await mkdtemp('/tmp/vbt4-guests-');
    process.env.VIRTBENCH_STATE = join(dir, 'state');
  });

  afterAll(async () => {
    if (handle && existsSync(join(handle.lxcPath, handle.container))) await main(['guests', 'destroy', '--all-orphaned']);
    await rm(dir, { recursive: true, force: true });
    delete process.env.VIRTBENCH_STATE;
  });

  it('lists the leftovers as orphaned and destroys them', async () => {
    const child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: process.cwd(),
      env: { VBT4_DIR: dir, VIRTBENCH_STATE: process.env.VIRTBENCH_STATE! },
      reject: false,
      buffer: false,
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      void child.then((r) => reject(new Error(`child exited ${r.exitCode}: ${err}`)));
    });
    handle = JSON.parse(line) as LxcHandle;
    process.kill(child.pid!, 'SIGKILL'); // the crash
    await child;

    const rows = await ownedRows();
    expect(rows.map((r) => [r.record.key, r.orphaned])).toEqual([
      ['bridge--vbt4br0', true],
      ['vbt4-crash--vbt4-g', true],
    ]);
    expect((await execa('lxc-info', ['-n', 'vbt4-g', '-s', '-H'])).stdout.trim()).toBe('RUNNING');

    // A record whose owner is alive (this process) is refused without --force.
    await recordOwned({ kind: 'bridge', key: 'bridge--vbt4br7', name: 'vbt4br7', handle: { bridge: 'vbt4br7' } });
    expect(await main(['guests', 'destroy', 'bridge--vbt4br7'])).toBe(2);
    expect(await main(['guests', 'destroy', 'no-such-key'])).toBe(2);
    expect(await main(['guests', 'destroy', '--force', 'bridge--vbt4br7'])).toBe(0); // never created: just forgotten

    expect(await main(['guests', 'destroy', '--all-orphaned'])).toBe(0);
    expect(await listOwned()).toEqual([]);
    expect((await execa('lxc-ls', ['-1'])).stdout.split('\n')).not.toContain('vbt4-g');
    expect(existsSync('/var/lib/lxc/vbt4-g')).toBe(false);
    expect((await execa('ip', ['link', 'show', 'dev', handle.veth], { reject: false })).exitCode).not.toBe(0);
    expect((await execa('ip', ['link', 'show', 'dev', 'vbt4br0'], { reject: false })).exitCode).not.toBe(0);
    expect((await execa('find', ['/sys/fs/cgroup', '-maxdepth', '3', '-name', '*vbt4-g*'])).stdout.trim()).toBe('');
  });
});
