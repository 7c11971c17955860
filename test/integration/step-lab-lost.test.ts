import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, RemoteError } from '../../src/core/errors.js';
import type { Guest } from '../../src/core/guest.js';
import type { Provider } from '../../src/core/provider.js';
import type { TargetSpec } from '../../src/core/targets.js';
import { createRunKey } from '../../src/remote/keys.js';
import { RunStateFile, type RunState } from '../../src/runner/run-state.js';
import { runStep } from '../../src/runner/step.js';
import type { RunnerResultDoc, RunnerWorkload } from '../../src/runner/workload-port.js';
import { startTestSshd, type TestSshd } from '../support/sshd.js';

/**
 * A step on a lab host whose kernels are measured, when the guest's SSH connection dies during
 * the workload: the runner asks the lab host whether it went down, and the step fails with the
 * lab's own error (which names the verified kernel and the resume command) rather than the
 * guest's bare SSH_CONNECTION_LOST. The guest is a real sshd on loopback; the provider and the
 * workload are FAKES (the workload throws the error a dropped guest connection gives), and so is
 * the lab's after-step check (the real one is unit-tested in kernel-switch-lost.test.ts).
 */
let dir: string;
let sshd: TestSshd;
let privateKeyPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vbt-steplost-'));
  const key = await createRunKey(join(dir, 'key'));
  privateKeyPath = key.privateKeyPath;
  sshd = await startTestSshd({ publicKey: key.publicKey, tmpPrefix: '/tmp/vbt-steplost-sshd-' });
});
afterAll(async () => {
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

const SPEC = { name: 'g', method: 'host' } as TargetSpec;

/** FAKE provider: the "guest" is the test sshd; nothing to make or remove. */
function fakeProvider(): Provider & { destroyed: number } {
  const p = {
    method: 'host' as const,
    destroyed: 0,
    plan: async () => [],
    provision: async (): Promise<Guest> => ({
      name: 'g',
      method: 'host',
      ssh: { host: '127.0.0.1', port: sshd.port, user: sshd.user, privateKeyPath, hostKey: sshd.hostKey },
      facts: {},
      emulated: false,
      handle: {},
    }),
    destroy: async () => {
      p.destroyed += 1;
    },
    doctor: async () => [],
  };
  return p;
}

/** FAKE workload: its run fails as a guest connection that died gives. */
function failingWorkload(error: Error): RunnerWorkload {
  return {
    name: 'shell-loop-probe',
    version: '1',
    options: {},
    estimateSeconds: () => 1,
    prepare: async () => undefined,
    run: async () => {
      throw error;
    },
  };
}

async function step(runId: string, workloadError: Error, checkHostKernel: () => Promise<void>) {
  const runDir = join(dir, runId);
  const resultId = 'g-k1-r1';
  const state = new RunStateFile(runDir, { runId, steps: { [resultId]: { resultId, status: 'pending', attempts: 0 } }, attempts: [{}] } as unknown as RunState);
  const written: RunnerResultDoc[] = [];
  let checks = 0;
  const provider = fakeProvider();
  const out = await runStep({ target: 'g', host: 'lab', repetition: 1, kernel: 'k1' }, resultId, {
    runDir,
    runId,
    state,
    host: { name: 'root@lab:22', isLocal: false } as never,
    provider,
    target: { spec: SPEC, label: 'g', cpusFromHost: false },
    spec: SPEC,
    workload: failingWorkload(workloadError),
    key: { privateKeyPath, publicKey: '' },
    writeResult: async (_d, doc) => {
      written.push(doc);
      return join(runDir, resultId);
    },
    emit: () => undefined,
    signal: new AbortController().signal,
    checkHostKernel: async () => {
      checks += 1;
      await checkHostKernel();
    },
  });
  return { out, doc: written[0] as RunnerResultDoc & { error?: { code: string; message: string } }, checks, destroyed: provider.destroyed, state };
}

const LOST = () => new RemoteError('SSH_CONNECTION_LOST', 'the connection to root@10.0.0.2:22 was lost');

describe('a guest connection lost during a step on a lab host with kernels', () => {
  it('the lab host went down too: the step fails with the lab\'s error naming the kernel', async () => {
    const labDown = new ProviderError('HOST_LOST_DURING_STEP', 'lab host lab stopped answering during the step (verified boot b1 on kernel k1; SSH_CONNECTION_LOST: gone)');
    const r = await step('run-down', LOST(), async () => {
      throw labDown;
    });
    expect(r.out.status).toBe('failed');
    expect(r.checks).toBe(1);
    expect(r.doc.status).toBe('failed');
    expect(r.doc.error?.code).toBe('HOST_LOST_DURING_STEP');
    expect(r.doc.error?.message).toContain('on kernel k1');
    expect(r.state.state.steps['g-k1-r1']!.error?.code).toBe('HOST_LOST_DURING_STEP');
    expect(r.destroyed).toBe(1);
  });

  it('the lab host still runs the verified boot: the guest\'s own error stands', async () => {
    const r = await step('run-up', LOST(), async () => undefined);
    expect(r.checks).toBe(1);
    expect(r.doc.error?.code).toBe('SSH_CONNECTION_LOST');
  });

  it('a failure that a lab going down would not cause is not second-guessed', async () => {
    const r = await step('run-other', new ProviderError('UNIXBENCH_BUILD', 'make failed'), async () => {
      throw new Error('must not be asked');
    });
    expect(r.checks).toBe(0);
    expect(r.doc.error?.code).toBe('UNIXBENCH_BUILD');
  });
});
