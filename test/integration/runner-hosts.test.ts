import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../src/core/provider.js';
import { BareMetalProvider } from '../../src/providers/host/provider.js';
import { createRunKey } from '../../src/remote/keys.js';
import { openSuiteHost } from '../../src/runner/hosts.js';
import { ShellLoopProbe } from '../../src/runner/probe-workload.js';
import type { RunnerEvent } from '../../src/runner/progress/events.js';
import { storeResult } from '../../src/runner/result-writers.js';
import { executeRun } from '../../src/runner/runner.js';
import { finishRun, startRun } from '../../src/runner/start.js';
import { parseSuite } from '../../src/suite/load.js';
import { startTestSshd, type TestSshd } from '../support/sshd.js';

/**
 * The runner against real machines over SSH: two OpenSSH servers on loopback stand for two
 * other machines, reached by the real host provider (a host target given by address). The
 * workload is shell-loop-probe, a real seconds-long measurement run over SSH.
 */
const bareMetalProvider = new BareMetalProvider() as unknown as Provider;

let tmp: string;
let sshdA: TestSshd;
let sshdB: TestSshd;
let keyPath: string;

beforeAll(async () => {
  tmp = await mkdtemp('/tmp/vbt7-hosts-');
  const key = await createRunKey(join(tmp, 'userkey'));
  keyPath = key.privateKeyPath;
  sshdA = await startTestSshd({ publicKey: key.publicKey, tmpPrefix: '/tmp/vbt7-sshd-' });
  sshdB = await startTestSshd({ publicKey: key.publicKey, tmpPrefix: '/tmp/vbt7-sshd-' });
});

afterAll(async () => {
  await sshdA?.stop();
  await sshdB?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function suiteText(extraTargets = ''): string {
  const host = (s: TestSshd) => `{ address: 127.0.0.1, port: ${s.port}, user: ${s.user}, key: ${keyPath}, hostKey: "${s.hostKey}" }`;
  return `name: vbt7-two-hosts
repetitions: 2
hosts:
  far-a: ${host(sshdA)}
  far-b: ${host(sshdB)}
targets:
  - { name: vbt7-a1, method: host, host: far-a }
  - { name: vbt7-b1, method: host, host: far-b }
${extraTargets}`;
}

async function run(text: string, opts: { abortAfterResults?: number } = {}) {
  const file = join(tmp, `suite-${Date.now()}.yaml`);
  await writeFile(file, text);
  const plan = parseSuite(text, file);
  const workload = new ShellLoopProbe(2);
  const started = await startRun({ plan, suiteText: text, resultsDir: join(tmp, 'results'), workload });
  const events: RunnerEvent[] = [];
  const controller = new AbortController();
  const summary = await executeRun({
    state: started.state, runDir: started.runDir, key: started.key, workload, providers: { host: bareMetalProvider },
    openHost: (h, k) => openSuiteHost(h, k), writeResult: storeResult,
    emit: (e) => {
      events.push(e);
      if (opts.abortAfterResults && events.filter((x) => x.type === 'result').length >= opts.abortAfterResults) controller.abort();
    },
    signal: controller.signal, statusIntervalMs: 200,
  });
  await finishRun(started.state, summary.outcome);
  return { summary, events, runDir: started.runDir };
}

describe('runner across hosts reached over SSH on loopback', () => {
  it('runs two hosts concurrently, one benchmark at a time on each, and writes every result', async () => {
    const { summary, events, runDir } = await run(suiteText());
    expect(summary).toMatchObject({ outcome: 'ok', ok: 4, failed: 0, missing: 0 });

    const results = events.filter((e): e is Extract<RunnerEvent, { type: 'result' }> => e.type === 'result');
    const windows = await Promise.all(results.map(async (r) => {
      const doc = JSON.parse(await readFile(join(runDir, r.resultId, 'result.json'), 'utf8'));
      expect(doc).toMatchObject({ status: 'ok', workload: { name: 'shell-loop-probe' }, target: { host: r.host } });
      expect(doc.probe.loops).toBeGreaterThan(0);
      return { host: r.host, start: Date.parse(doc.startedAt), end: Date.parse(doc.finishedAt) };
    }));
    const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
    // Never two at once on one host...
    for (const a of windows) for (const b of windows) if (a !== b && a.host === b.host) expect(overlaps(a, b)).toBe(false);
    // ...while the two hosts ran at the same time.
    expect(windows.some((a) => windows.some((b) => a.host !== b.host && overlaps(a, b)))).toBe(true);

    const state = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(state.status).toBe('ok');
    expect(Object.values(state.steps).every((s: any) => s.status === 'ok' && !s.guest)).toBe(true);
    expect(events.some((e) => e.type === 'status' && e.remainingSeconds !== undefined)).toBe(true);
  });

  it('records a failing target with its error and log, and the others go on', async () => {
    // vbt7-dead lives on far-a, but its guest does not answer SSH (nothing listens on port 1).
    const text = suiteText(`  - { name: vbt7-dead, method: host, host: far-a }\n`);
    const p: Provider = {
      method: 'host',
      plan: (spec, ctx) => bareMetalProvider.plan(spec, ctx),
      destroy: (g, ctx) => bareMetalProvider.destroy(g, ctx),
      doctor: (h) => bareMetalProvider.doctor(h),
      async provision(spec, ctx) {
        const g = await bareMetalProvider.provision(spec, ctx);
        return spec.name === 'vbt7-dead' ? { ...g, ssh: { ...g.ssh, port: 1 } } : g;
      },
    };
    const file = join(tmp, 'suite-fail.yaml');
    await writeFile(file, text);
    const plan = parseSuite(text, file);
    const workload = new ShellLoopProbe(1);
    const started = await startRun({ plan, suiteText: text, resultsDir: join(tmp, 'results'), workload });
    const events: RunnerEvent[] = [];
    const summary = await executeRun({
      state: started.state, runDir: started.runDir, key: started.key, workload, providers: { host: p },
      openHost: (h, k) => openSuiteHost(h, k), writeResult: storeResult, emit: (e) => events.push(e), signal: new AbortController().signal, connectDeadlineMs: 3_000,
    });
    expect(summary).toMatchObject({ outcome: 'failed', ok: 4, failed: 2 });
    for (const id of ['vbt7-dead-r1', 'vbt7-dead-r2']) {
      const doc = JSON.parse(await readFile(join(started.runDir, id, 'result.json'), 'utf8'));
      expect(doc.status).toBe('failed');
      expect(doc.error.message).toMatch(/^connect: /);
      expect(doc.rawFiles).toContain('runner.log');
      expect(await readFile(join(started.runDir, id, 'runner.log'), 'utf8')).toMatch(/FAILED in connect/);
    }
    const state = JSON.parse(await readFile(join(started.runDir, 'run.json'), 'utf8'));
    expect(state.steps['vbt7-dead-r1']).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/connect/) } });
    expect(state.steps['vbt7-a1-r2'].status).toBe('ok');
  });

  it('records the steps of a host it cannot reach as failed, and the other host goes on', async () => {
    // far-b points at a port nothing listens on: the host itself is unreachable.
    const text = suiteText().replace(`port: ${sshdB.port}`, 'port: 1');
    const file = join(tmp, 'suite-unreachable.yaml');
    await writeFile(file, text);
    const plan = parseSuite(text, file);
    const workload = new ShellLoopProbe(1);
    const started = await startRun({ plan, suiteText: text, resultsDir: join(tmp, 'results'), workload });
    const summary = await executeRun({
      state: started.state, runDir: started.runDir, key: started.key, workload, providers: { host: bareMetalProvider },
      openHost: (h, k) => openSuiteHost(h, k, { deadlineMs: 2_000 }), writeResult: storeResult, emit: () => {}, signal: new AbortController().signal,
    });
    expect(summary).toMatchObject({ outcome: 'failed', ok: 2, failed: 2, missing: 0 });
    for (const id of ['vbt7-b1-r1', 'vbt7-b1-r2']) {
      const doc = JSON.parse(await readFile(join(started.runDir, id, 'result.json'), 'utf8'));
      expect(doc).toMatchObject({ status: 'failed', error: { code: 'HOST_UNREACHABLE', message: expect.stringMatching(/cannot reach host far-b/) } });
    }
  });

  it('stops on abort, keeps what finished, and leaves the rest pending for resume', async () => {
    const { summary, runDir } = await run(suiteText(), { abortAfterResults: 1 });
    expect(summary.outcome).toBe('interrupted');
    const state = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    const statuses = Object.values(state.steps).map((s: any) => s.status);
    expect(statuses.filter((s) => s === 'ok').length).toBeGreaterThanOrEqual(1);
    expect(statuses).not.toContain('running');
    expect(statuses).toContain('pending');
    const folders = (await readdir(runDir)).filter((f) => f.startsWith('vbt7-'));
    // Only finished results have a folder; an interrupted step leaves none.
    expect(folders.sort()).toEqual(Object.values(state.steps).filter((s: any) => s.status === 'ok').map((s: any) => s.resultId).sort());
  });
});
