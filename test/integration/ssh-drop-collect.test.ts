import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtbenchError } from '../../src/core/errors.js';
import { createRunKey } from '../../src/remote/keys.js';
import { SshSession } from '../../src/remote/session.js';
import { collectRun } from '../../src/workloads/unixbench/collect.js';
import { startTestSshd, type TestSshd } from '../support/sshd.js';

/**
 * SSH dropped in the middle of collect: a real sshd on loopback whose connection processes this
 * test kills (by the PIDs of its own sshd's children) while a large report is being downloaded.
 * Collect must fail with a VirtbenchError, promptly, not hang and not crash.
 */
let dir: string;
let sshd: TestSshd | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vbt-sshdrop-'));
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const n of await readdir('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const stat = await readFile(`/proc/${n}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(n));
  }
  return out;
}

describe('SSH dropped during collect', () => {
  it('fails with a clear error when the connection dies mid-download', async () => {
    const key = await createRunKey(join(dir, 'key'));
    sshd = await startTestSshd({ publicKey: key.publicKey, tmpPrefix: '/tmp/vbt-sshdrop-sshd-' });
    const runDir = join(dir, 'run');
    await mkdir(join(runDir, 'results'), { recursive: true });
    await writeFile(join(runDir, 'claim'), '');
    // A large report, so the download is still going when the connection is cut.
    await writeFile(join(runDir, 'results', 'guest-2026-11-28-01'), Buffer.alloc(200 * 1024 * 1024, 65));
    const session = await SshSession.open({ host: '127.0.0.1', port: sshd.port, user: sshd.user, privateKeyPath: key.privateKeyPath, hostKey: sshd.hostKey }, { deadlineMs: 20_000 });
    try {
      const t0 = Date.now();
      const collecting = collectRun(session, { tag: 't', installDir: join(dir, 'ub'), runDir, pid: 1, startedAt: Date.now(), args: [] } as never, join(dir, 'local'));
      const killer = (async () => {
        for (let i = 0; i < 200; i++) {
          const local = await readdir(join(dir, 'local')).catch(() => [] as string[]);
          if (local.length) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        for (const pid of await childrenOf(sshd!.pid)) process.kill(pid, 'SIGKILL');
      })();
      const e = await collecting.then(() => undefined, (x: unknown) => x);
      await killer;
      expect(e).toBeInstanceOf(VirtbenchError);
      expect(Date.now() - t0).toBeLessThan(120_000);
    } finally {
      await session.close().catch(() => undefined);
    }
  }, 180_000);
});
