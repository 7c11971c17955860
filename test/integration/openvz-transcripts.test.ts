import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError, PrerequisiteError, ProviderError, VirtbenchError } from '../../src/core/errors.js';
import type { ProvisionContext } from '../../src/core/provider.js';
import type { ProgressEvent } from '../../src/core/progress.js';
import type { OpenvzTarget } from '../../src/core/targets.js';
import { OpenvzProvider } from '../../src/providers/openvz/provider.js';
import { createRunKey } from '../../src/remote/keys.js';
import { SshHost } from '../../src/remote/ssh-host.js';
import { REMOTE_OWNED_DIR } from '../../src/providers/ownership.js';
import { fakeOpenvzHost, FIXTURES_DIR, transcriptSteps, type FakeOpenvzHost } from '../fakes/openvz/fake-host.js';
import { startTestSshd, type TestSshd } from '../support/sshd.js';

/**
 * The OpenVZ provider driven through the real SSH layer (ssh2 client, the one quoting function,
 * a real OpenSSH sshd on 127.0.0.1) against a FAKE OpenVZ host: the sshd account has fake
 * vzctl/prlctl/vzpkg/uname/ls/cat/nproc first on PATH, replaying recorded transcripts. Each
 * test checks what the user sees and that the provider sent exactly the transcript's commands.
 */
let fake: FakeOpenvzHost;
let sshd: TestSshd;
let host: SshHost;
let work: string;
const previousState = process.env.VIRTBENCH_STATE;
let runKey: { privateKeyPath: string; publicKey: string };

beforeAll(async () => {
  work = await mkdtemp('/tmp/vbt6-it-');
  process.env.VIRTBENCH_STATE = join(work, 'state');
  fake = await fakeOpenvzHost('vzctl-lifecycle.transcript', '/tmp/vbt6-fake-');
  const login = await createRunKey(join(work, 'login-key'));
  sshd = await startTestSshd({ publicKey: login.publicKey, extraPath: [fake.binDir], env: fake.env, tmpPrefix: '/tmp/vbt6-sshd-' });
  host = await SshHost.connect({ host: '127.0.0.1', port: sshd.port, user: sshd.user, privateKeyPath: login.privateKeyPath, hostKey: sshd.hostKey });
  runKey = { privateKeyPath: join(work, 'run-key'), publicKey: (await readFile(join(FIXTURES_DIR, 'run-key.pub'), 'utf8')).trim() };
});

afterAll(async () => {
  // This test's own records on the "OpenVZ host" (its run id), should a failed test have left one.
  for (const f of await owned().catch(() => [] as string[])) await rm(join(REMOTE_OWNED_DIR, f), { force: true });
  await host?.close();
  await sshd?.stop();
  await fake?.cleanup();
  await rm(work, { recursive: true, force: true });
  if (previousState === undefined) delete process.env.VIRTBENCH_STATE;
  else process.env.VIRTBENCH_STATE = previousState;
});

afterEach(async () => {
  // A test that leaves the fake with an unexpected command has failed, whatever it asserted.
  const st = await fake.state();
  expect(st.errors, st.errors.join('\n')).toEqual([]);
});

function target(over: Partial<OpenvzTarget> = {}): OpenvzTarget {
  return { name: 'ovz7', method: 'openvz', host: 'ovz', limits: {}, tool: 'auto', ctid: 150, ostemplate: 'centos-7-x86_64', ipAddress: '192.0.2.150', netMode: 'venet', reach: 'jump', ...over };
}

function context(events: ProgressEvent[], signal?: AbortSignal): ProvisionContext {
  return { host, runId: 'vbt6-run', workDir: work, key: runKey, progress: (e) => events.push(e), signal };
}

async function expectAllReplayed(transcript: string): Promise<void> {
  const st = await fake.state();
  expect(st.next, `replayed:\n${st.ran.join('\n')}`).toBe(await transcriptSteps(transcript));
}

/**
 * This run's ownership records on the OpenVZ host (here this machine behind the loopback sshd, so
 * its /var/lib/virtbench/owned). None may be written to the controller's own state directory.
 */
async function owned(): Promise<string[]> {
  const local = await readdir(join(work, 'state', 'owned')).catch(() => [] as string[]);
  expect(local, 'records written on the controller instead of the OpenVZ host').toEqual([]);
  return (await readdir(REMOTE_OWNED_DIR).catch(() => [] as string[])).filter((f) => f.startsWith('vbt6-run--'));
}

async function provisionError(spec: OpenvzTarget, events: ProgressEvent[] = []): Promise<VirtbenchError> {
  const err = await new OpenvzProvider().provision(spec, context(events)).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(VirtbenchError);
  return err as VirtbenchError;
}

describe('OpenVZ provider against recorded transcripts, over SSH', () => {
  it('vzctl: creates, starts, prepares and pins a container with no limits, then destroys it', async () => {
    await fake.useTranscript('vzctl-lifecycle.transcript');
    const events: ProgressEvent[] = [];
    const provider = new OpenvzProvider();
    const guest = await provider.provision(target(), context(events));
    expect(guest.method).toBe('openvz');
    expect(guest.ssh.host).toBe('192.0.2.150');
    expect(guest.ssh.user).toBe('root');
    expect(guest.ssh.hostKey).toMatch(/^ssh-ed25519 AAAA\S+ root@vb-ovz7-150$/);
    // reach: jump goes through the OpenVZ host this test's SSH host connected to
    expect(guest.ssh.jump).toMatchObject({ host: '127.0.0.1', port: sshd.port });
    expect(guest.facts.kernel).toBe('3.10.0-1160.80.1.vz7.191.4');
    expect(guest.facts.cpusVisible).toBe(8);
    expect(guest.facts.memoryMiB).toBe(15884);
    const ovz = guest.facts.openvz as Record<string, unknown>;
    expect(ovz.tool).toBe('vzctl');
    expect(ovz.toolVersion).toBe('vzctl v.7.0.262');
    expect(ovz.config).toContain('PHYSPAGES="0:9223372036854775807"');
    expect(ovz.limits).toMatch(/no limits/);
    expect(await owned()).toEqual(['vbt6-run--ovz7.json']);
    await provider.destroy(guest, context(events));
    await expectAllReplayed('vzctl-lifecycle.transcript');
    expect(await owned()).toEqual([]);
  });

  it('prlctl: the same lifecycle with limits, through prlctl', async () => {
    await fake.useTranscript('prlctl-lifecycle.transcript');
    const events: ProgressEvent[] = [];
    const provider = new OpenvzProvider();
    const spec = target({ name: 'ovz7p', ctid: 151, tool: 'prlctl', ostemplate: 'debian-11.0-x86_64', ipAddress: '192.0.2.151', limits: { cpus: 2, memoryMiB: 2048 }, reach: 'direct' });
    const guest = await provider.provision(spec, context(events));
    expect(guest.ssh.jump).toBeUndefined();
    expect(guest.facts.cpusVisible).toBe(2);
    expect(guest.facts.memoryMiB).toBe(2048);
    const ovz = guest.facts.openvz as Record<string, unknown>;
    expect(ovz.tool).toBe('prlctl');
    expect(ovz.configSource).toBe('prlctl list -i vb-ovz7p-151');
    expect(ovz.config).toContain('memory 2048Mb');
    await provider.destroy(guest, context(events));
    await expectAllReplayed('prlctl-lifecycle.transcript');
  });

  it('template missing: names the template and says how to fetch it; creates nothing', async () => {
    await fake.useTranscript('template-missing.transcript');
    const err = await provisionError(target({ ostemplate: 'centos-6-x86_64' }));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.code).toBe('OPENVZ_TEMPLATE_MISSING');
    expect(err.message).toContain("OS template 'centos-6-x86_64' is not installed");
    expect(err.message).toContain('installed: centos-7-x86_64, debian-11.0-x86_64');
    expect(err.hint).toContain('vzpkg install template centos-6-x86_64');
    expect(err.hint).toContain('vztmpl-dl centos-6-x86_64');
    await expectAllReplayed('template-missing.transcript');
    expect(await owned()).toEqual([]);
  });

  it('CTID in use: refuses, and never stops or destroys the container it did not make', async () => {
    await fake.useTranscript('ctid-in-use.transcript');
    const err = await provisionError(target());
    expect(err.code).toBe('OPENVZ_CTID_IN_USE');
    expect(err.message).toContain('container 150 already exists');
    expect(err.hint).toMatch(/another ctid/);
    expect(err.location?.field).toBe('ctid');
    await expectAllReplayed('ctid-in-use.transcript');
    expect(await owned()).toEqual([]);
  });

  it('out of disk space: reports vzctl\'s message and what to free; nothing is left behind', async () => {
    await fake.useTranscript('out-of-disk.transcript');
    const events: ProgressEvent[] = [];
    const err = await provisionError(target({ limits: { diskGiB: 20 } }), events);
    expect(err.code).toBe('OPENVZ_NO_DISK_SPACE');
    expect(err.message).toContain('exited 46');
    expect(err.message).toContain('Insufficient disk space in /vz/private/150.private_temporary/root.hdd');
    expect(err.hint).toMatch(/df -h \/vz/);
    expect(err.hint).toMatch(/limits.diskGiB \(now 20\)/);
    expect(events.some((e) => /does not exist \(nothing to destroy\)/.test(e.message))).toBe(true);
    await expectAllReplayed('out-of-disk.transcript');
    expect(await owned()).toEqual([]);
  });

  it('a failure inside the container stops and destroys the container it made', async () => {
    await fake.useTranscript('install-fails.transcript');
    const err = await provisionError(target({ name: 'ovz7d', ctid: 152, ostemplate: 'debian-11.0-x86_64', ipAddress: '192.0.2.152' }));
    expect(err.code).toBe('OPENVZ_STEP_FAILED');
    expect(err.message).toContain('exited 100');
    expect(err.message).toContain('E: Unable to locate package make');
    expect(err.hint).toMatch(/network access/);
    await expectAllReplayed('install-fails.transcript');
    expect(await owned()).toEqual([]);
  });

  it('Ctrl-C (abort) after start: no further setup, the container is stopped and destroyed', async () => {
    await fake.useTranscript('interrupted.transcript');
    const ac = new AbortController();
    const events: ProgressEvent[] = [];
    const ctx = context(events, ac.signal);
    ctx.progress = (e) => {
      events.push(e);
      if (/installing make/.test(e.message)) ac.abort();
    };
    const err = await new OpenvzProvider().provision(target({ name: 'ovz7d', ctid: 152, ostemplate: 'debian-11.0-x86_64', ipAddress: '192.0.2.152' }), ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    await expectAllReplayed('interrupted.transcript');
    expect(events.some((e) => /container 152 destroyed/.test(e.message))).toBe(true);
    expect(await owned()).toEqual([]);
  });

  it('destroy is idempotent: an already-removed container needs nothing', async () => {
    await fake.useTranscript('destroy-gone.transcript');
    const events: ProgressEvent[] = [];
    const guest = { name: 'ovz7', method: 'openvz' as const, ssh: { host: '192.0.2.150', port: 22, user: 'root', privateKeyPath: runKey.privateKeyPath }, facts: {}, emulated: false, handle: { tool: 'vzctl', ctid: 150, ctName: 'vb-ovz7-150', host: host.name } };
    await new OpenvzProvider().destroy(guest, context(events));
    expect(events.map((e) => e.message)).toContain('container 150 does not exist (nothing to destroy)');
    await expectAllReplayed('destroy-gone.transcript');
  });

  it('a host without OpenVZ tools gets a prerequisite error that says what is missing', async () => {
    await fake.useTranscript('no-openvz.transcript');
    const err = await provisionError(target());
    expect(err).toBeInstanceOf(PrerequisiteError);
    expect(err.code).toBe('OPENVZ_TOOL_MISSING');
    expect(err.message).toContain('neither vzctl nor prlctl found');
    expect(err.hint).toMatch(/OpenVZ/);
    await expectAllReplayed('no-openvz.transcript');
  });
});
