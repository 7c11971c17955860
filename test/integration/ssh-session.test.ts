import { pidAlive } from '../support/processes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SshEndpoint } from '../../src/core/guest.js';
import { RemoteError } from '../../src/core/errors.js';
import { createRunKey } from '../../src/remote/keys.js';
import { SshSession } from '../../src/remote/session.js';
import { SshHost } from '../../src/remote/ssh-host.js';
import { connectWithRetry } from '../../src/remote/connect.js';
import { freeLoopbackPort } from '../../src/hosts/ports.js';
import { startSshd } from '../../src/remote/sshd-server.js';
import { HOSTILE, startTestSshd, type TestSshd } from '../support/sshd.js';

const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const alive = pidAlive;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SshSession against a real OpenSSH sshd', () => {
  let dir: string;
  let sshd: TestSshd;
  let ep: SshEndpoint;
  let otherKeyLine: string;
  const strays: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp('/tmp/vbt3-ssh-');
    const key = await createRunKey(join(dir, 'key'));
    otherKeyLine = (await createRunKey(join(dir, 'other'))).publicKey;
    sshd = await startTestSshd({ publicKey: key.publicKey, tmpPrefix: '/tmp/vbt3-sshd-' });
    ep = { host: '127.0.0.1', port: sshd.port, user: sshd.user, privateKeyPath: key.privateKeyPath, hostKey: sshd.hostKey };
  });
  afterAll(async () => {
    for (const pid of strays) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await sshd?.stop();
    expect(alive(sshd.pid)).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the run key 0600', async () => {
    expect((await stat(ep.privateKeyPath)).mode & 0o777).toBe(0o600);
  });

  it('runs commands: output streamed, exit codes, stderr', async () => {
    const s = await SshSession.open(ep);
    try {
      const chunks: string[] = [];
      const r = await s.exec({ script: 'for i in 1 2 3; do echo line$i; sleep 0.1; done; echo oops >&2; exit 3' }, { onStdout: (c) => chunks.push(c) });
      expect(r.exitCode).toBe(3);
      expect(r.stdout).toBe('line1\nline2\nline3\n');
      expect(r.stderr).toBe('oops\n');
      expect(chunks.length).toBeGreaterThanOrEqual(2); // arrived while running, not at the end only
      expect((await s.exec(['true'])).exitCode).toBe(0);
      expect((await s.exec(['cat'], { input: 'piped' })).stdout).toBe('piped');
      expect((await s.exec(['pwd'], { cwd: '/tmp' })).stdout).toBe('/tmp\n');
      expect((await s.exec(['sh', '-c', 'echo "$VB_A"'], { env: { VB_A: '$(x) ; y' } })).stdout).toBe('$(x) ; y\n');
    } finally {
      await s.close();
    }
  });

  it('times out a command and kills it on the target', async () => {
    const s = await SshSession.open(ep);
    const pidFile = join(dir, 'timeout.pid');
    try {
      const t0 = Date.now();
      // 5 s, not less: on a loaded 2-core CI machine sshd took over 0.7 s to start the
      // script, and a timeout that fires before it wrote its PID leaves nothing to check.
      const err = await s.exec({ script: `echo $$ > ${pidFile}; exec sleep 30` }, { timeoutMs: 5000 }).catch((e) => e);
      expect(err).toBeInstanceOf(RemoteError);
      expect(err.code).toBe('SSH_EXEC_TIMEOUT');
      expect(Date.now() - t0).toBeLessThan(15_000);
      const pid = Number(await readFile(pidFile, 'utf8'));
      strays.push(pid);
      for (let i = 0; i < 40 && alive(pid); i++) await sleep(100);
      expect(alive(pid)).toBe(false);
      expect((await s.exec(['echo', 'still usable'])).stdout).toBe('still usable\n');
    } finally {
      await s.close();
    }
  });

  it('uploads and downloads files and directory trees over SFTP', async () => {
    const s = await SshSession.open(ep);
    try {
      const src = join(dir, 'tree');
      await mkdir(join(src, 'a/b'), { recursive: true });
      await writeFile(join(src, 'top.txt'), 'top\n');
      await writeFile(join(src, 'a/b/deep.bin'), Buffer.from([0, 1, 2, 255]));
      await writeFile(join(src, 'a/run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
      const remote = join(dir, 'remote-tree');
      expect(await s.uploadDir(src, remote)).toBe(3);
      expect((await s.exec([join(remote, 'a/run.sh')])).stdout).toBe('ran\n'); // mode kept
      const back = join(dir, 'back');
      expect(await s.downloadDir(remote, back)).toBe(3);
      expect(await readFile(join(back, 'a/b/deep.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
      await s.upload(join(src, 'top.txt'), join(dir, 'one.txt'));
      await s.download(join(dir, 'one.txt'), join(dir, 'one-back.txt'));
      expect(await readFile(join(dir, 'one-back.txt'), 'utf8')).toBe('top\n');
      await s.writeFile(join(dir, 'w.txt'), 'written', 0o600);
      expect((await s.readFile(join(dir, 'w.txt'))).toString()).toBe('written');
      expect((await stat(join(dir, 'w.txt'))).mode & 0o777).toBe(0o600);
      const missing = await s.readFile(join(dir, 'nope')).catch((e) => e);
      expect(missing.code).toBe('SFTP_FAILED');
      expect(missing.message).toContain(join(dir, 'nope'));
    } finally {
      await s.close();
    }
  });

  it('accepts a pinned key that matches and records the decision', async () => {
    const s = await SshSession.open(ep);
    expect(s.hostKeyDecision?.decision).toBe('pinned-match');
    expect(s.hostKeyDecision?.presented).toBe(sshd.hostKey);
    expect(s.hostKeyDecision?.fingerprint).toMatch(/^SHA256:/);
    await s.close();
  });

  it('refuses a pinned key that does not match, with a clear error and no retry', async () => {
    const t0 = Date.now();
    const err = await SshSession.open({ ...ep, hostKey: otherKeyLine }, { deadlineMs: 20_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.code).toBe('HOST_KEY_MISMATCH');
    expect(err.message).toMatch(/does not match the pinned key.*expected ssh-ed25519 SHA256:.*presented ssh-ed25519 SHA256:/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('refuses an unknown key unless trust on first use, which is recorded and then pinned', async () => {
    const unknown = await SshSession.open({ ...ep, hostKey: undefined }).catch((e) => e);
    expect(unknown.code).toBe('HOST_KEY_UNKNOWN');
    expect(unknown.hint).toContain(sshd.hostKey);
    const s = await SshSession.open({ ...ep, hostKey: undefined, trustOnFirstUse: true });
    expect(s.hostKeyDecision).toMatchObject({ decision: 'trusted-first-use', presented: sshd.hostKey });
    expect(s.endpoint.hostKey).toBe(sshd.hostKey);
    s.dropConnection();
    await s.exec(['true']);
    expect(s.hostKeyDecisions.map((d) => d.decision)).toEqual(['trusted-first-use', 'pinned-match']);
    await s.close();
  });

  it('fails authentication with a key the server does not know, quickly and clearly', async () => {
    const other = join(dir, 'other', 'id_ed25519');
    const err = await SshSession.open({ ...ep, privateKeyPath: other }).catch((e) => e);
    expect(err.code).toBe('SSH_AUTH_FAILED');
    expect(err.hint).toContain('authorized_keys');
  });

  it('retries with backoff while nothing listens, then connects when sshd comes up', async () => {
    const port = await freeLoopbackPort();
    const key = await createRunKey(join(dir, 'late'));
    const retries: number[] = [];
    const none = await connectWithRetry({ ...ep, port }, { deadlineMs: 1200, onRetry: (n) => retries.push(n) }).catch((e) => e);
    expect(none.code).toBe('SSH_CONNECT_TIMEOUT');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    const late = join(dir, 'late-sshd');
    const pending = SshSession.open({ ...ep, port, privateKeyPath: key.privateKeyPath, hostKey: undefined, trustOnFirstUse: true }, { deadlineMs: 20_000 });
    await sleep(1500);
    const server = await startSshd({ authorizedKeys: [key.publicKey], dir: late, port });
    try {
      const s = await pending;
      expect((await s.exec(['echo', 'booted'])).stdout).toBe('booted\n');
      expect(s.hostKeyDecision?.presented).toBe(server.hostKey);
      await s.close();
    } finally {
      await server.stop();
    }
  });

  it('reconnects after the server side of the connection is killed mid-command', async () => {
    const before = children(sshd.pid);
    const s = await SshSession.open(ep, { deadlineMs: 20_000 });
    const pidFile = join(dir, 'mid.pid');
    const running = s.exec({ script: `echo $$ > ${pidFile}; exec sleep 20` }).catch((e) => e);
    for (let i = 0; i < 50 && !existsSync(pidFile); i++) await sleep(100);
    strays.push(Number(await readFile(pidFile, 'utf8')));
    // The per-connection sshd processes are the listener's children that were not there before.
    const conn = children(sshd.pid).filter((p) => !before.includes(p));
    expect(conn.length).toBeGreaterThan(0);
    for (const pid of conn) process.kill(pid, 'SIGKILL');
    const err = await running;
    expect(err.code).toBe('SSH_CONNECTION_LOST');
    const r = await s.exec(['echo', 'back']);
    expect(r.stdout).toBe('back\n');
    expect(s.reconnects).toBe(1);
    expect(s.hostKeyDecisions.every((d) => d.decision === 'pinned-match')).toBe(true);
    await s.close();
  });

  it('repeats a command marked safe to repeat after the client socket is destroyed mid-command', async () => {
    const s = await SshSession.open(ep);
    const counter = join(dir, 'count');
    const running = s.exec({ script: `echo x >> ${counter}; sleep 1; echo done` }, { retryOnDisconnect: true });
    for (let i = 0; i < 50 && !existsSync(counter); i++) await sleep(100);
    (await s.connection()).client.destroy?.(); // the TCP socket goes away under the session
    const r = await running;
    expect(r.stdout).toBe('done\n');
    expect((await readFile(counter, 'utf8')).split('\n').filter(Boolean).length).toBe(2);
    expect(s.reconnects).toBe(1);
    await s.close();
  });

  it('reaches a machine through a jump host (pinning both keys)', async () => {
    const s = await SshSession.open({ ...ep, jump: { ...ep } });
    expect((await s.exec(['echo', 'via jump'])).stdout).toBe('via jump\n');
    expect(s.hostKeyDecisions.map((d) => d.decision)).toEqual(['pinned-match', 'pinned-match']);
    await s.close();
    const bad = await SshSession.open({ ...ep, jump: { ...ep, hostKey: otherKeyLine } }).catch((e) => e);
    expect(bad.code).toBe('HOST_KEY_MISMATCH');
  });

  it('SshHost runs argv with hostile values verbatim and reports failures as CommandFailedError', async () => {
    const h = await SshHost.connect(ep);
    try {
      expect(h.isLocal).toBe(false);
      const r = await h.run(['/usr/bin/printf', '%s\\0', ...HOSTILE]);
      expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
      expect(existsSync('/tmp/vbt3-pwned')).toBe(false);
      const err = await h.run(['sh', '-c', 'echo bad >&2; exit 4']).catch((e) => e);
      expect(err.code).toBe('COMMAND_FAILED');
      expect(err.message).toContain('exited 4');
      expect((await h.run(['false'], { allowFailure: true })).exitCode).toBe(1);
      const nf = await h.run(['vbt3-no-such-tool']).catch((e) => e);
      expect(nf.hint).toContain('not installed');
      await h.writeFile(join(dir, 'host.txt'), 'hi');
      expect((await h.readFile(join(dir, 'host.txt'))).toString()).toBe('hi');
    } finally {
      await h.close();
    }
  });
});
