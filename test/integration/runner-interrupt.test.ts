import { execa } from 'execa';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtbench } from '../support/cli.js';

/**
 * `virtbench run` as a user runs it, on real LXC containers: Ctrl-C (a real SIGINT to the CLI
 * process) in the middle of the run, then `--resume`. The workload is shell-loop-probe (a real
 * seconds-long measurement over SSH), so the test takes about a minute instead of the UnixBench
 * build; the runner's bookkeeping is the same for both.
 */
const haveLxc = process.getuid?.() === 0 && (await execa('which', ['lxc-start'], { reject: false })).exitCode === 0;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp('/tmp/vbt7-int-');
});
afterAll(async () => {
  // Whatever happened, nothing of ours may be left: destroy containers by their exact names.
  for (const name of ['vbt7-a', 'vbt7-b']) {
    if ((await execa('lxc-info', ['-n', name], { reject: false })).exitCode === 0) {
      await execa('lxc-stop', ['-n', name, '-k'], { reject: false });
      await execa('lxc-destroy', ['-n', name], { reject: false });
    }
  }
  await execa('ip', ['link', 'del', 'dev', 'vbt7br0'], { reject: false });
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const SUITE = `name: vbt7-lxc
repetitions: 2
order: sequential
targets:
  - { name: vbt7-a, method: lxc, network: { bridge: vbt7br0, subnet: 10.231.7.0/24, address: 10.231.7.10 } }
  - { name: vbt7-b, method: lxc, network: { bridge: vbt7br0, subnet: 10.231.7.0/24, address: 10.231.7.11 } }
`;

const cli = (args: string[]) => virtbench(['run', ...args], { cwd: tmp, state: join(tmp, 'state') });

async function leftovers(): Promise<string[]> {
  const ls = await execa('lxc-ls', ['-1'], { reject: false });
  const containers = ls.stdout.split(/\s+/).filter((n) => n.startsWith('vbt7-'));
  const bridge = (await execa('ip', ['link', 'show', 'dev', 'vbt7br0'], { reject: false })).exitCode === 0 ? ['vbt7br0'] : [];
  return [...containers, ...bridge];
}

describe.skipIf(!haveLxc)('virtbench run: SIGINT mid-run, then --resume (real LXC containers)', () => {
  it('stops cleanly, destroys what it provisioned, and resumes without repeating what is done', async () => {
    const suite = join(tmp, 'vbt7-lxc.yaml');
    await writeFile(suite, SUITE);
    const common = ['--workload', 'shell-loop-probe', '--probe-seconds', '4', '--json', '--results', join(tmp, 'results'), '--no-report'];

    const first = cli([suite, ...common]);
    const events: any[] = [];
    let interruptedDuring: string | undefined;
    let buffer = '';
    first.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const e = JSON.parse(line);
        events.push(e);
        // Ctrl-C while the second benchmark is running in its container.
        if (!interruptedDuring && e.type === 'step' && e.step === 'run' && events.some((x) => x.type === 'result' && x.status === 'ok')) {
          interruptedDuring = e.resultId;
          first.kill('SIGINT');
        }
      }
    });
    const r1 = await first;
    expect(interruptedDuring, r1.stderr).toBeDefined();
    expect(r1.exitCode, r1.stderr).toBe(130);
    const plan = events.find((e) => e.type === 'plan');
    const runDir: string = plan.runDir;
    expect(events.at(-1)).toMatchObject({ type: 'finished', outcome: 'interrupted' });
    expect(await leftovers()).toEqual([]);

    const state1 = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(state1.status).toBe('interrupted');
    const done1 = Object.values(state1.steps).filter((s: any) => s.status === 'ok').map((s: any) => s.resultId);
    expect(done1.length).toBeGreaterThanOrEqual(1);
    expect(state1.steps[interruptedDuring!]).toMatchObject({ status: 'pending' });
    expect(Object.values(state1.steps).some((s: any) => s.guest)).toBe(false);

    const second = await cli(['--resume', runDir, ...common.filter((a) => a !== '--json'), '--json']);
    expect(second.exitCode, second.stderr).toBe(0);
    const events2 = second.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const rerun = events2.filter((e) => e.type === 'result').map((e) => e.resultId);
    for (const id of done1) expect(rerun).not.toContain(id);
    expect(events2.find((e) => e.type === 'plan')).toMatchObject({ resumed: true });

    const state2 = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(state2.status).toBe('ok');
    expect(state2.attempts.map((a: any) => a.outcome)).toEqual(['interrupted', 'ok']);
    const folders = (await readdir(runDir)).filter((f) => f.startsWith('vbt7-')).sort();
    expect(folders).toEqual(['vbt7-a-r1', 'vbt7-a-r2', 'vbt7-b-r1', 'vbt7-b-r2']);
    for (const f of folders) {
      const doc = JSON.parse(await readFile(join(runDir, f, 'result.json'), 'utf8'));
      expect(doc).toMatchObject({ status: 'ok', target: { method: 'lxc' }, workload: { name: 'shell-loop-probe' } });
      expect(doc.probe.loops).toBeGreaterThan(0);
    }
    expect(await leftovers()).toEqual([]);
  });
});

if (!haveLxc) {
  describe('virtbench run with LXC', () => {
    it.skip('needs root and the lxc package (apt-get install lxc); skipped here', () => {});
  });
}
