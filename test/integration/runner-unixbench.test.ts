import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtbench } from '../support/cli.js';
import { LocalHost } from '../../src/hosts/local.js';
import { probeI386 } from '../../src/providers/images/i386-probe.js';
import { listOwned } from '../../src/providers/ownership.js';
import { processesUnder } from '../support/processes.js';
import { describeWithUnixBench } from '../support/unixbench.js';

/**
 * `virtbench run` end to end with real UnixBench 5.1.3 (-i 1, two tests) in every kind of guest
 * this machine can start, in one suite so images and boots are paid once: the bare host over SSH,
 * a privileged LXC container, an unprivileged i386 LXC container (amd64 where the kernel cannot
 * run 32-bit programs, said loudly), and a KVM guest under TCG. Ctrl-C (a real SIGINT) while
 * UnixBench runs in the container, then --resume: each result parsed and stored with its manifest
 * and raw files, the report and its PDF name every target, and nothing is left behind.
 */
const haveLxc = process.getuid?.() === 0 && (await execa('which', ['lxc-start'], { reject: false })).exitCode === 0;
const i386 = haveLxc ? await probeI386(new LocalHost()) : { ok: false, detail: 'not root or no lxc' };
if (haveLxc && !i386.ok) console.warn(`runner-unixbench: the unprivileged container runs amd64, not i386, here: ${i386.detail}`);
const ARCH32 = i386.ok ? 'i386' : 'amd64';
const BRIDGE = 'vbt11br0';
const CONTAINERS = ['vbt11-lxc', 'vbt11-lxcu'];
const TESTS = ['Dhrystone 2 using register variables', 'System Call Overhead'];

const SUITE = `name: vbt11-e2e
order: sequential
workload:
  unixbench: { iterations: 1, copies: [1], tests: [dhry2reg, syscall] }
targets:
  - { name: vbt11-host, label: vbt-host, method: host }
  - { name: vbt11-lxc, label: vbt-priv, method: lxc, privileged: true, network: { bridge: ${BRIDGE}, subnet: 10.231.11.0/24, address: 10.231.11.20 } }
  - { name: vbt11-lxcu, label: vbt-unpriv, method: lxc, privileged: false, image: { arch: ${ARCH32} }, network: { bridge: ${BRIDGE}, subnet: 10.231.11.0/24, address: 10.231.11.21 } }
  - { name: vbt11-kvm, label: vbt-tcg, method: kvm, accel: tcg, cpuModel: max, cpus: 2, memoryMiB: 1024 }
`;

let tmp: string;
let subids: { uid: string; gid: string } | undefined;
const readOr = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');

beforeAll(async () => {
  tmp = await mkdtemp('/tmp/vbt11-e2e-');
  // The CLI runs keep their ownership records here; listOwned() in this process reads the same.
  process.env.VIRTBENCH_STATE = join(tmp, 'state');
  // The unprivileged container maps root to 100000+: root needs those subordinate ids.
  if (haveLxc && (!/^root:/m.test(readOr('/etc/subuid')) || !/^root:/m.test(readOr('/etc/subgid')))) {
    subids = { uid: readOr('/etc/subuid'), gid: readOr('/etc/subgid') };
    await execa('usermod', ['--add-subuids', '100000-165535', '--add-subgids', '100000-165535', 'root']);
  }
});

afterAll(async () => {
  // Whatever happened, nothing of ours may be left: containers and the bridge by their exact names.
  for (const name of CONTAINERS) {
    if ((await execa('lxc-info', ['-n', name], { reject: false })).exitCode === 0) {
      await execa('lxc-stop', ['-n', name, '-k'], { reject: false });
      await execa('lxc-destroy', ['-n', name], { reject: false });
    }
  }
  await execa('ip', ['link', 'del', 'dev', BRIDGE], { reject: false });
  if (subids) {
    await writeFile('/etc/subuid', subids.uid);
    await writeFile('/etc/subgid', subids.gid);
  }
  delete process.env.VIRTBENCH_STATE;
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => virtbench(['run', ...args], { cwd: tmp, state: join(tmp, 'state') });

async function leftovers(): Promise<string[]> {
  const ls = (await execa('lxc-ls', ['-1'], { reject: false })).stdout.split(/\s+/).filter((n) => n.startsWith('vbt11-'));
  const bridge = (await execa('ip', ['link', 'show', 'dev', BRIDGE], { reject: false })).exitCode === 0 ? [BRIDGE] : [];
  const owned = (await listOwned()).map((r) => `ownership record ${r.key}`);
  return [...ls, ...bridge, ...processesUnder(tmp, ['/.virtbench/unixbench-']), ...owned];
}

describe.skipIf(!haveLxc)('virtbench run, real UnixBench in every kind of guest (root, lxc, qemu)', () => {
  describeWithUnixBench('host, privileged LXC, unprivileged i386 LXC, KVM under TCG; Ctrl-C and --resume', (source) => {
    it('measures each, stores parsed results with raw files, reports them all, leaves nothing', async () => {
      const suite = join(tmp, 'vbt11-e2e.yaml');
      await writeFile(suite, SUITE);
      const common = ['--unixbench-source', source, '--results', join(tmp, 'results'), '--reports', join(tmp, 'reports'), '--json'];

      // First run: Ctrl-C as soon as UnixBench's first test runs in the privileged container.
      const first = cli([suite, ...common]);
      const events: any[] = [];
      let interrupted = false;
      let buffer = '';
      first.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const e = JSON.parse(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          events.push(e);
          if (!interrupted && e.type === 'progress' && e.resultId === 'vbt11-lxc-r1' && e.event?.test) {
            interrupted = true;
            first.kill('SIGINT');
          }
        }
      });
      const r1 = await first;
      expect(interrupted, String(r1.stderr).slice(-3000)).toBe(true);
      expect(r1.exitCode, String(r1.stderr).slice(-3000)).toBe(130);
      expect(events.at(-1)).toMatchObject({ type: 'finished', outcome: 'interrupted' });
      expect(events.filter((e) => e.type === 'result' && e.status === 'ok').map((e) => e.resultId)).toEqual(['vbt11-host-r1']);
      expect(await leftovers()).toEqual([]);
      const runDir: string = events.find((e) => e.type === 'plan').runDir;

      // --resume: the host's result is kept, the rest is measured.
      const second = await cli(['--resume', runDir, ...common]);
      expect(second.exitCode, String(second.stderr).slice(-3000)).toBe(0);
      const events2 = String(second.stdout).trim().split('\n').map((l) => JSON.parse(l));
      expect(events2.find((e) => e.type === 'plan')).toMatchObject({ resumed: true });
      expect(events2.filter((e) => e.type === 'result').map((e) => [e.resultId, e.status])).toEqual([['vbt11-lxc-r1', 'ok'], ['vbt11-lxcu-r1', 'ok'], ['vbt11-kvm-r1', 'ok']]);
      const state = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
      expect(state.status).toBe('ok');
      expect(state.attempts.map((a: any) => a.outcome)).toEqual(['interrupted', 'ok']);

      const docs: Record<string, any> = {};
      for (const id of ['vbt11-host-r1', 'vbt11-lxc-r1', 'vbt11-lxcu-r1', 'vbt11-kvm-r1']) {
        const doc = JSON.parse(await readFile(join(runDir, id, 'result.json'), 'utf8'));
        docs[id] = doc;
        expect(doc, id).toMatchObject({ status: 'ok', workload: { name: 'unixbench', version: '5.1.3' } });
        const pass = doc.unixbench.passes[0];
        expect(pass.copies, id).toBe(1);
        expect(pass.tests.map((t: { name: string }) => t.name), id).toEqual(TESTS);
        expect(pass.tests.every((t: { value: number }) => t.value > 0), id).toBe(true);
        expect(pass.index.score, id).toBeGreaterThan(0);
        expect(doc.manifest.kernelRelease, id).toBeTruthy();
        expect(doc.manifest.unixbench.sourceSha256, id).toMatch(/^[0-9a-f]{64}$/);
        expect(doc.rawFiles.length, id).toBeGreaterThanOrEqual(3);
        for (const f of doc.rawFiles) expect((await readFile(join(runDir, id, f))).length, `${id}/${f}`).toBeGreaterThan(0);
      }
      expect(docs['vbt11-host-r1']).toMatchObject({ target: { method: 'host' }, emulated: false });
      expect(docs['vbt11-lxc-r1']).toMatchObject({ target: { method: 'lxc', label: 'vbt-priv' }, emulated: false, manifest: { virtualization: 'lxc' } });
      // The machine the containers ran on: this one.
      expect(docs['vbt11-lxc-r1'].hostManifest).toMatchObject({ kernelRelease: release(), hostname: hostname() });
      expect(docs['vbt11-lxcu-r1']).toMatchObject({ target: { method: 'lxc' }, manifest: { virtualization: 'lxc' }, guestFacts: { privileged: false, userlandArch: i386.ok ? 'i686' : 'x86_64' } });
      expect(docs['vbt11-kvm-r1']).toMatchObject({ target: { method: 'kvm' }, emulated: true, guestFacts: { accelerator: 'tcg' } });
      expect(docs['vbt11-kvm-r1'].manifest.kernelRelease).not.toBe(release());

      // The report: every target in its tables and in the PDF's text.
      // With --json the report's place is in the last event.
      const finished = events2.at(-1);
      expect(finished).toMatchObject({ type: 'finished', outcome: 'ok', report: { dir: expect.any(String) } });
      const reportDir = join(tmp, 'reports', basename(runDir));
      expect(resolve(finished.report.dir)).toBe(resolve(reportDir));
      const reportFiles = await readdir(reportDir);
      expect(reportFiles).toEqual(expect.arrayContaining(['report.pdf', 'report.md']));
      const md = await readFile(join(reportDir, 'report.md'), 'utf8');
      const pdfText = (await execa('pdftotext', ['-layout', join(reportDir, 'report.pdf'), '-'])).stdout;
      for (const label of ['vbt-host', 'vbt-priv', 'vbt-unpriv', 'vbt-tcg']) {
        expect(md, label).toContain(label);
        expect(pdfText, label).toContain(label);
      }
      expect(pdfText).toContain('System Call Overhead');
      expect(pdfText).toMatch(/EMULATED|emulated/);

      expect(await leftovers()).toEqual([]);
      // Four guests, one of them emulated: with a warm image cache about 10 minutes on 2 busy cores,
      // more when the KVM image is built here (kvm-*.test.ts run first in CI and build it).
    }, 30 * 60_000);
  });
});
