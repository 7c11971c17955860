import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtbenchError } from '../../src/core/errors.js';
import { seededRng } from '../../src/core/random.js';
import { LocalHost } from '../../src/hosts/local.js';
import { destroyKvmHandle } from '../../src/providers/kvm/provider.js';
import { listOwned, ownedDir } from '../../src/providers/ownership.js';
import { loadResultSets } from '../../src/results/load.js';
import { readRawFolder } from '../../src/results/raw-folder.js';
import { writeResult } from '../../src/results/run-dir.js';
import { createRunDir } from '../support/run-dir.js';
import { destroyLeftovers } from '../../src/runner/leftovers.js';
import { readRunState, RunStateFile, runStatePath } from '../../src/runner/run-state.js';
import { finishRun, startRun } from '../../src/runner/start.js';
import type { RunnerWorkload } from '../../src/runner/workload-port.js';
import { parseSuite } from '../../src/suite/load.js';
import { unixbenchFixture } from '../support/fixtures.js';

/**
 * Fuzz over what virtbench reads back from disk: run.json (resume and its leftover destroy),
 * result.json (loading results) and ownership records (listing and destroying from them).
 * Each case cuts the file at a random byte, deletes a random field, or puts a hostile string or
 * number in a random place. Whatever happens: no file outside the run and state folders is
 * removed or changed (sentinels around them), and every error is a VirtbenchError (no
 * "internal error"). Seeded; the seed and the iteration counts are below.
 */
const SEED = 20261128;
const ITERATIONS = { runJson: 300, resultJson: 150, records: 300 };

let root: string;
let outside: string;
const saved = process.env.VIRTBENCH_STATE;
const rng = seededRng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;

const sentinelFiles: Record<string, string> = {};
async function sentinel(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  sentinelFiles[path] = text;
}

function hostile(): unknown {
  return pick<unknown>([
    '../../outside/sentinel', '../../../outside', join(outside ?? '/nonexistent', 'sentinel'), outside, '/', '', '.', '..', 'a/../../b',
    'eth0', 'lo', '-rf', '--help', 'x,format=raw', '\u001b]0;t\u0007', 'A'.repeat(5000), '$(touch /tmp/pwned)', 'run--host', 0, -1, 1e308, 2 ** 31, null, true, [], {},
  ]);
}

/** Cut, delete a field, or replace a leaf with something hostile. */
function mutate(text: string): string {
  const how = rng.next();
  if (how < 0.25) return text.slice(0, Math.floor(rng.next() * text.length));
  const doc = JSON.parse(text) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    if (p.length) paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(doc, []);
  for (let n = 1 + Math.floor(rng.next() * 3); n > 0 && paths.length; n--) {
    const path = pick(paths);
    let parent = doc as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = (parent !== null && typeof parent === 'object' ? (parent[k] ?? {}) : {}) as Record<string | number, unknown>;
    if (parent === null || typeof parent !== 'object') continue;
    const last = path[path.length - 1]!;
    if (how < 0.55 && !Array.isArray(parent)) delete parent[last];
    else parent[last] = hostile();
  }
  return JSON.stringify(doc);
}

async function expectOnlyVirtbenchErrors(p: Promise<unknown>, what: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof VirtbenchError)) throw new Error(`${what}: not a VirtbenchError: ${(e as Error)?.stack ?? String(e)}`);
  }
}

async function sentinelsIntact(): Promise<void> {
  for (const [path, text] of Object.entries(sentinelFiles)) expect(await readFile(path, 'utf8').catch(() => '(gone)'), path).toBe(text);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vb-fuzz-'));
  outside = join(root, 'outside');
  process.env.VIRTBENCH_STATE = join(root, 'state');
  await sentinel(join(outside, 'sentinel'), 'outside\n');
  await sentinel(join(outside, 'x', 'sentinel'), 'outside x\n');
  await sentinel(join(root, 'sentinel'), 'root\n');
});
afterAll(async () => {
  if (saved === undefined) delete process.env.VIRTBENCH_STATE;
  else process.env.VIRTBENCH_STATE = saved;
  await rm(root, { recursive: true, force: true });
});

describe(`fuzz (seed ${SEED})`, () => {
  it(`run.json: ${ITERATIONS.runJson} damaged copies through resume's read and leftover destroy`, async () => {
    const suite = 'name: fuzz\nrepetitions: 2\ntargets:\n  - name: host\n    method: host\n';
    const workload = { name: 'shell-loop-probe', version: '1', options: {} } as unknown as RunnerWorkload;
    const results = join(root, 'results');
    const run = await startRun({ plan: parseSuite(suite, join(root, 'fuzz.yaml')), suiteText: suite, resultsDir: results, workload, runId: 'fuzz-run' });
    await finishRun(run.state, 'interrupted');
    const work = join(run.runDir, '.work', 'host-r1');
    await mkdir(work, { recursive: true });
    const f = (n: string) => join(work, n);
    const good = JSON.parse(await readFile(runStatePath(run.runDir), 'utf8')) as Record<string, any>;
    good.steps['host-r1'].guest = { name: 'host', method: 'kvm', emulated: true, ssh: {}, facts: {}, handle: { name: 'host', ownershipKey: 'fuzz-run--host', workDir: work, pidFile: f('qemu.pid'), qmpSocket: f('qmp.sock'), overlay: f('overlay.qcow2'), seed: f('seed.img'), consoleLog: f('console.log'), factsLog: f('facts.log'), stderrLog: f('qemu.log') } };
    const original = JSON.stringify(good);
    for (let i = 0; i < ITERATIONS.runJson; i++) {
      await writeFile(runStatePath(run.runDir), mutate(original));
      await expectOnlyVirtbenchErrors(
        (async () => {
          const state = await readRunState(run.runDir);
          await destroyLeftovers(new RunStateFile(run.runDir, state), { openHost: async () => new LocalHost(), key: { privateKeyPath: '', publicKey: '' }, emit: () => undefined });
        })(),
        `run.json case ${i}`,
      );
    }
    await sentinelsIntact();
  }, 60_000);

  it(`result.json: ${ITERATIONS.resultJson} damaged copies through loading`, async () => {
    const [doc] = await readRawFolder(unixbenchFixture('runB_i1_c1_c2_index'));
    const dir = await createRunDir(join(root, 'sets'), 'fuzz-results');
    await writeResult(dir, doc!);
    const file = join(dir, doc!.id, 'result.json');
    const original = await readFile(file, 'utf8');
    for (let i = 0; i < ITERATIONS.resultJson; i++) {
      await writeFile(file, mutate(original));
      await expectOnlyVirtbenchErrors(loadResultSets(dir), `result.json case ${i}`);
    }
    await sentinelsIntact();
  }, 60_000);

  it(`ownership records: ${ITERATIONS.records} damaged records through listing and KVM destroy from the record`, async () => {
    const work = join(root, 'state-work');
    await mkdir(work, { recursive: true });
    const f = (n: string) => join(work, n);
    const rec = { kind: 'guest', method: 'kvm', key: 'fuzz--vm', runId: 'fuzz', name: 'vm', createdAt: '2026-11-28T00:00:00Z', ownerPid: 999_999, handle: { name: 'vm', ownershipKey: 'fuzz--vm', workDir: work, pidFile: f('qemu.pid'), qmpSocket: f('qmp.sock'), overlay: f('overlay.qcow2'), consoleLog: f('console.log'), factsLog: f('facts.log'), stderrLog: f('qemu.log') } };
    const original = JSON.stringify(rec);
    await mkdir(ownedDir(), { recursive: true });
    for (let i = 0; i < ITERATIONS.records; i++) {
      await writeFile(join(ownedDir(), 'fuzz--vm.json'), mutate(original));
      await expectOnlyVirtbenchErrors(
        (async () => {
          for (const r of await listOwned()) if (r.method === 'kvm') await destroyKvmHandle(new LocalHost(), r.handle, 0);
        })(),
        `record case ${i}`,
      );
    }
    await sentinelsIntact();
    expect((await readdir(root)).sort()).toEqual(['fuzz.yaml', 'outside', 'results', 'sentinel', 'sets', 'state', 'state-work'].filter((n) => n !== 'fuzz.yaml').sort());
  }, 60_000);
});
