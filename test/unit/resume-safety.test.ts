import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { InputError, VirtbenchError } from '../../src/core/errors.js';
import { destroyLeftovers } from '../../src/runner/leftovers.js';
import type { EventSink } from '../../src/runner/progress/events.js';
import { readRunState, RunStateFile, runStatePath, type RunState } from '../../src/runner/run-state.js';
import { finishRun, resumeRun, startRun } from '../../src/runner/start.js';
import type { RunnerWorkload } from '../../src/runner/workload-port.js';
import { parseSuite } from '../../src/suite/load.js';
import { LocalHost } from '../../src/hosts/local.js';

/**
 * --resume reads run.json back from disk: every name in it becomes a path part, every guest
 * handle a thing to destroy. These tests hand it crafted and damaged run.json files and check
 * that nothing outside the run is touched (sentinel files around it) and the errors are clear.
 */
const SUITE = `name: safety
repetitions: 1
targets:
  - name: host
    method: host
`;
const workload = { name: 'shell-loop-probe', version: '1', options: {} } as unknown as RunnerWorkload;

let root: string;
let results: string;
let outside: string;
const savedState = process.env.VIRTBENCH_STATE;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vb-resume-safety-'));
  process.env.VIRTBENCH_STATE = join(root, 'state');
});
afterAll(async () => {
  if (savedState === undefined) delete process.env.VIRTBENCH_STATE;
  else process.env.VIRTBENCH_STATE = savedState;
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  results = await mkdtemp(join(root, 'results-'));
  outside = await mkdtemp(join(root, 'outside-'));
  await writeFile(join(outside, 'sentinel'), 'keep me\n');
  await mkdir(join(outside, 'x'), { recursive: true });
  await writeFile(join(outside, 'x', 'sentinel'), 'keep me too\n');
});

async function newRun(): Promise<{ runDir: string; state: RunState }> {
  const plan = parseSuite(SUITE, join(root, 'safety.yaml'));
  const run = await startRun({ plan, suiteText: SUITE, resultsDir: results, workload, runId: `safety-${Math.random().toString(16).slice(2, 8)}` });
  await finishRun(run.state, 'interrupted');
  return { runDir: run.runDir, state: JSON.parse(await readFile(runStatePath(run.runDir), 'utf8')) as RunState };
}

async function edit(runDir: string, change: (s: Record<string, any>) => void): Promise<void> {
  const s = JSON.parse(await readFile(runStatePath(runDir), 'utf8')) as Record<string, any>;
  change(s);
  await writeFile(runStatePath(runDir), JSON.stringify(s, null, 2));
}

async function sentinelsIntact(): Promise<void> {
  expect(await readFile(join(outside, 'sentinel'), 'utf8')).toBe('keep me\n');
  expect(await readFile(join(outside, 'x', 'sentinel'), 'utf8')).toBe('keep me too\n');
}

async function inputErrorOf(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('run.json read back for --resume', () => {
  it('refuses a target name that leads out of the run directory, and deletes nothing', async () => {
    const { runDir } = await newRun();
    const evil = `../../${join(outside, 'x').split('/').slice(-2).join('/')}`;
    await edit(runDir, (s) => {
      const step = s.schedule.local[0];
      step.target = evil;
      s.steps = { [`${evil}-r1`]: { resultId: `${evil}-r1`, status: 'running', attempts: 1 } };
    });
    const e = await inputErrorOf(resumeRun(runDir));
    expect(e.code).toBe('RUN_STATE_INVALID');
    expect(e.location?.field).toMatch(/^schedule\.local\[0\]\.target$/);
    await sentinelsIntact();
  });

  it('names the missing field of a damaged run.json (no "Cannot read properties of undefined")', async () => {
    const { runDir } = await newRun();
    await edit(runDir, (s) => delete s.plan);
    const e = await inputErrorOf(readRunState(runDir));
    expect(e.location).toMatchObject({ file: runStatePath(runDir), field: 'plan' });
    const other = (await newRun()).runDir;
    await edit(other, (s) => delete s.steps);
    expect((await inputErrorOf(readRunState(other))).location?.field).toBe('steps');
  });

  it('refuses a plan that is not the one its suite text gives (an edited spec)', async () => {
    const { runDir } = await newRun();
    await edit(runDir, (s) => {
      s.plan.targets[0].spec.ssh = { address: '10.0.0.1', port: 22, user: 'root' };
    });
    const e = await inputErrorOf(readRunState(runDir));
    expect(e.location?.field).toBe('plan.targets[0]');
  });

  it('refuses a keyPath outside the run directory and never chmods what it names', async () => {
    const { runDir } = await newRun();
    const victim = join(outside, 'sentinel');
    await chmod(victim, 0o644);
    await edit(runDir, (s) => {
      s.keyPath = `../${victim.split('/').slice(-2).join('/')}`;
    });
    const e = await inputErrorOf(resumeRun(runDir));
    expect(e.code).toBe('PATH_OUTSIDE');
    expect(e.location?.field).toBe('keyPath');
    expect((await stat(victim)).mode & 0o777).toBe(0o644);
    await sentinelsIntact();
  });

  it('does not destroy a KVM handle whose files lie outside the run, nor one whose folder has no marker', async () => {
    const { runDir } = await newRun();
    const workDir = join(runDir, '.work', 'host-r1');
    await mkdir(workDir, { recursive: true });
    await writeFile(join(workDir, 'overlay.qcow2'), 'not ours either\n');
    const handle = (dir: string, overrides: Record<string, unknown> = {}) => ({
      name: 'host', ownershipKey: 'x--host', workDir: dir, pidFile: join(dir, 'qemu.pid'), qmpSocket: join(dir, 'qmp.sock'),
      overlay: join(dir, 'overlay.qcow2'), seed: join(dir, 'seed.img'), consoleLog: join(dir, 'console.log'), factsLog: join(dir, 'facts.log'), stderrLog: join(dir, 'qemu.log'), ...overrides,
    });
    const cases = [
      handle(outside, { overlay: join(outside, 'sentinel') }),
      handle(workDir, { overlay: join(outside, 'sentinel'), seed: join(outside, 'x', 'sentinel') }),
      handle(workDir),
    ];
    for (const h of cases) {
      await edit(runDir, (s) => {
        s.steps['host-r1'].guest = { name: 'host', method: 'kvm', handle: h, ssh: {}, emulated: true, facts: {} };
      });
      const file = new RunStateFile(runDir, await readRunState(runDir));
      const events: Parameters<EventSink>[0][] = [];
      const n = await destroyLeftovers(file, { openHost: async () => new LocalHost(), key: { privateKeyPath: '', publicKey: '' }, emit: (e) => events.push(e) });
      expect(n).toBe(0);
      expect(events.some((e) => e.type === 'warning')).toBe(true);
      await sentinelsIntact();
    }
    expect(await readFile(join(workDir, 'overlay.qcow2'), 'utf8')).toBe('not ours either\n');
  });
});

describe('--resume and the recorded owner', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    child = undefined;
  });

  it('refuses while the owner process (PID and start time) is alive, and not when the PID was recycled', async () => {
    const { runDir } = await newRun();
    child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = child.pid!;
    const start = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')[19]!;
    const before = await readFile(runStatePath(runDir), 'utf8');
    await edit(runDir, (s) => {
      s.status = 'running';
      s.attempts = [{ startedAt: new Date().toISOString(), pid, pidStart: start }];
    });
    const e = await inputErrorOf(resumeRun(runDir));
    expect(e.code).toBe('RUN_STILL_RUNNING');
    expect(before).not.toBe('');
    // Same PID, another start time: a recycled PID, not the owner.
    await edit(runDir, (s) => {
      s.attempts = [{ startedAt: new Date().toISOString(), pid, pidStart: String(Number(start) + 1) }];
    });
    const resumed = await resumeRun(runDir);
    expect(resumed.state.state.attempts).toHaveLength(2);
    expect(resumed.state.state.attempts[0]!.outcome).toBe('crashed');
  });

  it('a dry run of --resume writes nothing', async () => {
    const { runDir } = await newRun();
    await edit(runDir, (s) => {
      s.status = 'running';
      s.attempts = [{ startedAt: '2026-01-01T00:00:00.000Z', pid: 999_999_999 > 4194304 ? 4194304 : 999_999_999 }];
      s.steps['host-r1'].status = 'running';
    });
    const before = await readFile(runStatePath(runDir), 'utf8');
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['run', '--resume', runDir, '--dry-run', '--workload', 'shell-loop-probe']);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    expect(out.join('')).toContain('host-r1');
    expect(await readFile(runStatePath(runDir), 'utf8')).toBe(before);
  });
});

describe('errors read back from disk are VirtbenchErrors', () => {
  it('a run.json that is a directory, or cut short, is an input error', async () => {
    const { runDir } = await newRun();
    const text = await readFile(runStatePath(runDir), 'utf8');
    await writeFile(runStatePath(runDir), text.slice(0, text.length - 40));
    expect((await inputErrorOf(readRunState(runDir))).code).toBe('RUN_DIR_INVALID');
    await rm(runStatePath(runDir));
    await mkdir(runStatePath(runDir));
    const e = await readRunState(runDir).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(VirtbenchError);
  });
});
