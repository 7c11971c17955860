import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveUnixBenchSource, sourceTreeSha256, UNIXBENCH_VERSION } from '../../src/workloads/unixbench/source.js';
import { describeWithUnixBench } from '../support/unixbench.js';

describe('UnixBench source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp('/tmp/vbt3-ubsrc-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a failed download of the pinned tarball says how to give a local copy', async () => {
    const saved = process.env.VIRTBENCH_UNIXBENCH_SOURCE;
    delete process.env.VIRTBENCH_UNIXBENCH_SOURCE;
    // No outside traffic from tests: the request goes to a loopback port nothing listens on, a real
    // connection failure, wherever the test runs (with or without internet).
    const asked: string[] = [];
    const fetchImpl: typeof fetch = (url, init) => {
      asked.push(String(url));
      return fetch('http://127.0.0.1:1/', init);
    };
    try {
      const err = await resolveUnixBenchSource({ cache: join(dir, 'cache'), fetchImpl }).catch((e) => e);
      expect(asked).toEqual(['https://codeload.github.com/kdlucas/byte-unixbench/tar.gz/c7ea5d492b1f82d4ccd270fee27863425e436235']);
      expect(err.code).toBe('UNIXBENCH_DOWNLOAD_FAILED');
      expect(err.message).toContain('codeload.github.com/kdlucas/byte-unixbench/tar.gz/c7ea5d492b1f82d4ccd270fee27863425e436235');
      expect(err.hint).toContain('--unixbench-source');
      expect(err.hint).toContain('VIRTBENCH_UNIXBENCH_SOURCE');
    } finally {
      if (saved !== undefined) process.env.VIRTBENCH_UNIXBENCH_SOURCE = saved;
    }
  });

  it('refuses a path that does not exist, naming the field', async () => {
    const err = await resolveUnixBenchSource({ source: join(dir, 'nope') }).catch((e) => e);
    expect(err.code).toBe('UNIXBENCH_SOURCE_MISSING');
    expect(err.location.field).toBe('--unixbench-source');
  });

  describeWithUnixBench('with the real 5.1.3 source', (SRC) => {
    it('verifies 5.1.3 from the tarball and from a directory, with the same tree checksum', async () => {
      const fromTar = await resolveUnixBenchSource({ source: SRC, cache: join(dir, 'cache') });
      expect(fromTar.version).toBe(UNIXBENCH_VERSION);
      expect(fromTar.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(fromTar.kind).toBe('tarball');
      const again = await resolveUnixBenchSource({ source: SRC, cache: join(dir, 'cache') });
      expect(again.sha256).toBe(fromTar.sha256);
      const tree = join(dir, 'tree');
      await cp(fromTar.root, join(tree, 'UnixBench'), { recursive: true });
      const fromDir = await resolveUnixBenchSource({ source: tree });
      expect(fromDir.kind).toBe('directory');
      expect(fromDir.sha256).toBe(fromTar.sha256);
      // One changed byte changes the checksum.
      await writeFile(join(tree, 'UnixBench', 'src', 'syscall.c'), (await readFile(join(tree, 'UnixBench', 'src', 'syscall.c'), 'utf8')) + ' ');
      expect(await sourceTreeSha256(join(tree, 'UnixBench'))).not.toBe(fromTar.sha256);
    });

    it('refuses another version unless allowed', async () => {
      const src = await resolveUnixBenchSource({ source: SRC, cache: join(dir, 'cache') });
      const other = join(dir, 'other');
      await cp(src.root, other, { recursive: true });
      const run = join(other, 'Run');
      await writeFile(run, (await readFile(run, 'utf8')).replace('my $version = "5.1.3";', 'my $version = "5.1.2";'));
      const err = await resolveUnixBenchSource({ source: other }).catch((e) => e);
      expect(err.code).toBe('UNIXBENCH_WRONG_VERSION');
      expect(err.message).toContain('version 5.1.2, not 5.1.3');
      expect((await resolveUnixBenchSource({ source: other, allowOtherVersion: true })).version).toBe('5.1.2');
      await execa('true');
    });
  });
});
