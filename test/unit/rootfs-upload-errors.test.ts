import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandHost, CommandResult, RunOptions } from '../../src/core/host.js';
import { pipeTree } from '../../src/providers/images/rootfs-remote.js';

/**
 * Which side of a rootfs upload failed. The tar here is the real one; the remote host is a FAKE
 * (it reads part of the stream, then fails the way a full disk does, or reads it all).
 */
function fakeRemote(behaviour: 'disk-full' | 'reads-all'): CommandHost {
  return {
    name: 'root@lab:22',
    isLocal: false,
    async run(_argv: readonly string[], opts?: RunOptions): Promise<CommandResult> {
      const input = opts!.inputStream! as NodeJS.ReadableStream & { destroy(): void };
      if (behaviour === 'disk-full') {
        await new Promise((r) => input.once('data', r));
        input.destroy(); // the remote tar exited: the channel, and the pipe from the tar here, close
        return { exitCode: 2, stdout: '', stderr: 'tar: ./usr/bin/big: Cannot write: No space left on device\ntar: Exiting with failure status due to previous errors' } as CommandResult;
      }
      for await (const _ of input as AsyncIterable<Buffer>) { /* drain */ }
      return { exitCode: 0, stdout: '', stderr: '' } as CommandResult;
    },
    async readFile() { throw new Error('not used'); },
    async writeFile() { throw new Error('not used'); },
    async close() {},
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vb-upload-'));
  // Enough data that the tar here is still writing when the remote side gives up.
  await writeFile(join(dir, 'big'), Buffer.alloc(8 * 1024 * 1024, 1));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rootfs upload: the error names the side that failed', () => {
  it('the remote disk fills: the remote tar\'s message and free space, not "the cached copy here"', async () => {
    const err = await pipeTree(fakeRemote('disk-full'), dir, '/var/cache/virtbench/rootfs/x.upload/root').then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/unpacking into \/var\/cache\/virtbench\/rootfs\/x\.upload\/root on root@lab:22 failed \(exit 2\): .*No space left on device/s);
    expect((err as Error & { hint?: string }).hint).toMatch(/free space on root@lab:22/);
  });

  it('the local copy cannot be read: the local tar\'s message', async () => {
    const err = await pipeTree(fakeRemote('reads-all'), join(dir, 'missing'), '/tmp/x').then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/tar of .*missing exited 2: .*Cannot (open|chdir)/s);
  });
});
