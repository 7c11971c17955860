import { pidAlive } from '../support/processes.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Guest } from '../../src/core/guest.js';
import type { ProvisionContext } from '../../src/core/provider.js';
import type { ProgressEvent } from '../../src/core/progress.js';
import { InterruptedError } from '../../src/core/errors.js';
import { LocalHost } from '../../src/hosts/local.js';
import { bareMetalProvider } from '../../src/providers/host/provider.js';
import { createRunKey } from '../../src/remote/keys.js';
import { SshSession } from '../../src/remote/session.js';
import type { UnixBenchInstall } from '../../src/workloads/unixbench/install.js';
import { startUnixBench } from '../../src/workloads/unixbench/run.js';
import { resolveUnixBenchSource } from '../../src/workloads/unixbench/source.js';
import { UnixBenchRunError, UnixBenchWorkload } from '../../src/workloads/unixbench/workload.js';
import { describeWithUnixBench } from '../support/unixbench.js';

const alive = pidAlive;

describeWithUnixBench('a real short UnixBench on this machine through the host provider (private sshd)', (SRC) => {
  let dir: string;
  let ctx: ProvisionContext;
  let guest: Guest;
  let session: SshSession;
  let workload: UnixBenchWorkload;
  let install: UnixBenchInstall;
  const savedState = process.env.VIRTBENCH_STATE;

  beforeAll(async () => {
    dir = await mkdtemp('/tmp/vbt3-ub-');
    process.env.VIRTBENCH_STATE = join(dir, 'state');
    const key = await createRunKey(join(dir, 'key'));
    ctx = { host: new LocalHost(), runId: 'vbt3-ubtest', workDir: join(dir, 'guest'), key, progress: () => {} };
    guest = await bareMetalProvider.provision({ name: 'bare', method: 'host', host: 'local', limits: {} }, ctx);
    session = await SshSession.open(guest.ssh);
    const source = await resolveUnixBenchSource({ source: SRC, cache: join(dir, 'cache') });
    workload = new UnixBenchWorkload(source, { installDir: join(dir, 'target', 'UnixBench') });
    install = await workload.prepare(session);
  });
  afterAll(async () => {
    await session?.close();
    if (guest) await bareMetalProvider.destroy(guest, ctx);
    if (guest) expect(alive(guest.handle.sshdPid as number)).toBe(false);
    if (savedState === undefined) delete process.env.VIRTBENCH_STATE;
    else process.env.VIRTBENCH_STATE = savedState;
    await rm(dir, { recursive: true, force: true });
  });

  it('provisions the host target with a pinned key and facts', () => {
    expect(guest.ssh.host).toBe('127.0.0.1');
    expect(guest.ssh.hostKey).toMatch(/^ssh-ed25519 /);
    expect(guest.facts.cpusVisible).toBeGreaterThan(0);
    expect(session.hostKeyDecision?.decision).toBe('pinned-match');
  });

  it('built UnixBench with the target compiler and recorded it; a second prepare reuses the build', async () => {
    expect(install.compiler).toMatch(/gcc/);
    expect(install.cflags).toContain('-O');
    expect(existsSync(join(install.dir, 'pgms', 'syscall'))).toBe(true);
    const again = await workload.prepare(session);
    expect(again.reused).toBe(true);
  });

  it('runs -i 1 syscall pipe detached, follows progress, survives a dropped connection, never starts twice, collects and parses', async () => {
    const events: ProgressEvent[] = [];
    let first = false;
    let dropped = false;
    const running = workload.run(
      session,
      {
        prepared: install,
        options: { iterations: 1, copies: [1], tests: ['syscall', 'pipe'], locale: 'C' },
        tag: 'vbt3-main',
        localDir: join(dir, 'raw'),
        cpus: 1,
        pollMs: 1000,
        onFirstTest: () => {
          first = true;
        },
      },
      (e) => {
        events.push(e);
        if (e.test === 'syscall' && !dropped) {
          dropped = true;
          session.dropConnection(); // the connection goes away mid-run; following must reattach
        }
      },
    );
    // A second start with the same tag attaches instead of starting another ./Run.
    await new Promise((r) => setTimeout(r, 3000));
    const second = await startUnixBench(session, { installDir: install.dir, tag: 'vbt3-main', options: { locale: 'C', iterations: 1, tests: ['syscall'] }, cpus: 1 });
    expect(second.reattached).toBe(true);
    const raw = await running;
    expect(first).toBe(true);
    expect(dropped).toBe(true);
    expect(raw.exitCode).toBe(0);
    expect(raw.reconnects).toBeGreaterThanOrEqual(1);
    expect(second.pid).toBe(raw.handle.pid);
    expect(readFileSync(join(raw.handle.runDir, 'argv'), 'utf8')).toBe('-i\n1\n-c\n1\nsyscall\npipe\n');
    const tests = events.filter((e) => e.test).map((e) => e.test);
    expect(tests).toContain('syscall');
    expect(tests).toContain('pipe');
    expect(events.some((e) => e.remainingSeconds !== undefined && e.pass?.total === 1)).toBe(true);

    expect(raw.files.report).toBeDefined();
    expect(raw.files.log).toBe(`${raw.files.report}.log`);
    expect(raw.files.html).toBe(`${raw.files.report}.html`);
    expect((await readdir(join(dir, 'raw'))).sort()).toEqual([raw.files.report, raw.files.log, raw.files.html, 'console.txt'].sort());
    const report = workload.parse(raw);
    expect(report.version).toBe('5.1.3');
    expect(report.passes).toHaveLength(1);
    const names = report.passes[0]!.tests.map((t) => t.name);
    expect(names).toEqual(['Pipe Throughput', 'System Call Overhead']);
    expect(report.passes[0]!.tests.every((t) => t.value > 0 && t.samples === 1)).toBe(true);
    expect(report.passes[0]!.index?.partial).toBe(true);
    expect(report.passes[0]!.index!.score).toBeGreaterThan(0);

    const m = raw.manifest;
    expect(m.kernelRelease).toBe(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    expect(m.kernelCmdline).toBe(readFileSync('/proc/cmdline', 'utf8').trim());
    expect(m.cpuModel.length).toBeGreaterThan(0);
    expect(m.cpuFlags.length).toBeGreaterThan(5);
    expect(m.cpusOnline).toBeGreaterThan(0);
    expect(m.memoryMiB).toBeGreaterThan(100);
    expect(m.compiler).toMatch(/gcc/);
    expect(m.unixbench?.sourceSha256).toBe(workload.source.sha256);
    expect(m.virtualization).toBeTruthy();
  });

  it('an unknown test name is a clear error with the console output kept', async () => {
    const err = await workload
      .run(session, { prepared: install, options: { iterations: 1, copies: [1], tests: ['vbt3-no-such-test'], locale: 'C' }, tag: 'vbt3-unknown', localDir: join(dir, 'raw-unknown'), cpus: 1, pollMs: 500 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(UnixBenchRunError);
    expect(err.code).toBe('UNIXBENCH_FAILED');
    expect(err.message).toContain('Run: unknown test "vbt3-no-such-test"');
    expect(readFileSync(join(dir, 'raw-unknown', 'console.txt'), 'utf8')).toContain('unknown test');
  });

  it('a test program that writes to stderr makes 5.1.3 abort ("Run: ...; aborting"): a clear error, files kept', async () => {
    // Failure injection: the built syscall program is swapped for one that complains on stderr.
    const prog = join(install.dir, 'pgms', 'syscall');
    await rename(prog, `${prog}.real`);
    await writeFile(prog, '#!/bin/sh\necho "vbt3 injected failure" >&2\nexit 1\n', { mode: 0o755 });
    try {
      const err = await workload
        .run(session, { prepared: install, options: { iterations: 1, copies: [1], tests: ['syscall'], locale: 'C' }, tag: 'vbt3-abort', localDir: join(dir, 'raw-abort'), cpus: 1, pollMs: 500 })
        .catch((e) => e);
      expect(err).toBeInstanceOf(UnixBenchRunError);
      expect(err.code).toBe('UNIXBENCH_ABORTED');
      expect(err.message).toMatch(/Run: "System Call Overhead": .*; aborting/);
      expect(err.raw.exitCode).not.toBe(0);
      expect(readFileSync(join(dir, 'raw-abort', 'console.txt'), 'utf8')).toContain('aborting');
    } finally {
      await rm(prog, { force: true });
      await rename(`${prog}.real`, prog);
    }
  });

  it('refuses a missing locale and more than 16 copies before starting anything', async () => {
    const base = { prepared: install, localDir: join(dir, 'raw-x'), cpus: 1 };
    const loc = await workload.run(session, { ...base, tag: 'vbt3-loc', options: { tests: ['syscall'], locale: 'xx_YY.UTF-8' } }).catch((e) => e);
    expect(loc.code).toBe('UNIXBENCH_LOCALE_MISSING');
    expect(loc.hint).toContain('locale-gen');
    const c17 = await workload.run(session, { ...base, tag: 'vbt3-c17', options: { tests: ['syscall'], copies: [17], locale: 'C' } }).catch((e) => e);
    expect(c17.code).toBe('UNIXBENCH_EMPTY_PASS');
    expect(existsSync(join(install.dir, '..', 'runs', 'vbt3-loc'))).toBe(false);
    expect(existsSync(join(install.dir, '..', 'runs', 'vbt3-c17'))).toBe(false);
  });

  it('an interrupt stops the run on the target: no UnixBench process is left behind', async () => {
    const ac = new AbortController();
    let started = false;
    const running = workload
      .run(session, { prepared: install, options: { iterations: 1, copies: [1], tests: ['dhry2reg'], locale: 'C' }, tag: 'vbt3-interrupt', localDir: join(dir, 'raw-int'), cpus: 1, pollMs: 500, signal: ac.signal, onFirstTest: () => (started = true) })
      .catch((e: unknown) => e);
    while (!started) await new Promise((r) => setTimeout(r, 200));
    const pid = Number(readFileSync(join(install.dir, '..', 'runs', 'vbt3-interrupt', 'pid'), 'utf8').trim());
    expect(alive(pid)).toBe(true);
    ac.abort();
    const err = (await running) as Error;
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.message).toMatch(/stopped/);
    expect(alive(pid)).toBe(false);
    // Nothing of its process group either (dhry2reg ran as a child of ./Run); a zombie waiting for
    // init to reap it runs nothing and is not counted.
    const group = execFileSync('ps', ['-e', '-o', 'pgid=,stat=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => Number(l.trim().split(/\s+/)[0]) === pid && !/^\s*\d+\s+Z/.test(l));
    expect(group).toEqual([]);
  });
});
