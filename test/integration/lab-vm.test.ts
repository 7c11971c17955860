import { execa } from 'execa';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/hosts/local.js';
import { buildRootfs, ROOTFS_BASE_PACKAGES } from '../../src/providers/images/rootfs.js';
import { parseSuite } from '../../src/suite/load.js';
import { scheduleFor } from '../../src/suite/order.js';
import { virtbench } from '../support/cli.js';
import { labDisk, labSsh, startLabVm, waitForLabSsh, type LabVm } from '../support/lab-vm.js';
import { pidAlive } from '../support/processes.js';

/**
 * A lab machine reached only over SSH: a QEMU guest (TCG here) that boots by its own GRUB, with
 * two Debian kernels from the mirror and what the LXC provider needs, on a forwarded loopback port.
 * - LXC on the lab: virtbench, from outside, provisions a container inside it on the lab's own
 *   private bridge (which this machine has no route to), reaches it through the lab as a jump host,
 *   runs real UnixBench there, and leaves nothing.
 * - Host kernels: virtbench reboots it into each kernel (grub-reboot), verifies uname -r, measures,
 *   and leaves it on its default kernel; it is killed (SIGKILL) mid-reboot and resumed; a host that
 *   does not come back (QEMU frozen) gives a clear error, loses nothing, and --resume carries on
 *   once it is thawed. kexec boots the other kernel without firmware or GRUB (opt-in: VIRTBENCH_TEST_LAB_KEXEC=1).
 * One boot disk, built once into the image cache; one lab VM for all four tests.
 */
const OLD = '6.1.0-47-cloud-amd64';
const NEW = '6.1.0-50-cloud-amd64';
const UNIXBENCH = process.env.VIRTBENCH_UNIXBENCH_SOURCE ?? '';
// Runs in CI (about 13 minutes on two cores under TCG, its boot disk cached). It needs root, QEMU, debootstrap, LXC and a
// UnixBench 5.1.3 source; VIRTBENCH_TEST_SKIP_LAB_VM=1 leaves it out of a local run.
const canRun = process.env.VIRTBENCH_TEST_SKIP_LAB_VM !== '1' && !!UNIXBENCH && process.getuid?.() === 0 && (await execa('which', ['qemu-system-x86_64', 'debootstrap', 'lxc-start'], { reject: false })).exitCode === 0;
const CT = { name: 'vbt16-vm-ct', bridge: 'vbt16vm', subnet: '10.216.33.0/24', address: '10.216.33.20' };

let tmp: string;
let vm: LabVm | undefined;
const children: ReturnType<typeof virtbench>[] = [];

beforeAll(async () => {
  if (!canRun) return;
  tmp = await mkdtemp('/tmp/vb-labk-');
  const t0 = Date.now();
  // The container's rootfs is built here (or found cached) and uploaded to the lab: under TCG the lab
  // would take about ten minutes to debootstrap it itself.
  await buildRootfs(new LocalHost(), { release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian', include: [...ROOTFS_BASE_PACKAGES] }, () => undefined);
  const disk = await labDisk();
  process.stderr.write(`lab boot disk ${disk.key}: ${disk.built ? `built in ${disk.buildSeconds?.toFixed(0)} s` : 'cached'}; kernels ${disk.kernels.join(', ')}\n`);
  vm = await startLabVm(tmp, disk);
  const booted = await waitForLabSsh(vm, tmp, 900_000);
  process.stderr.write(`lab VM up on ${booted} ${((Date.now() - t0) / 1000).toFixed(0)} s after the start\n`);
}, 40 * 60_000);

afterAll(async () => {
  for (const c of children) if (pidAlive(c.pid)) process.kill(c.pid!, 'SIGKILL');
  await vm?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function suiteText(o: { seed: number; releases: string[]; timeout: number; workload: string; boot?: 'kexec' }): string {
  return `name: lab-kernels
${labHostsBlock()}
kernels:
  host: lab
  releases: [${o.releases.join(', ')}]
  rebootTimeoutSeconds: ${o.timeout}${o.boot ? `\n  boot: ${o.boot}` : ''}
repetitions: 1
seed: ${o.seed}
${o.workload}
targets:
  - name: bare
    method: host
    host: lab
`;
}

/** The first seed whose schedule boots `first` first. */
function seedStarting(text: (seed: number) => string, first: string): number {
  for (let seed = 1; seed < 100; seed++) if (scheduleFor(parseSuite(text(seed), '/tmp/x.yaml'), seed).get('lab')![0]!.kernel === first) return seed;
  throw new Error('no seed');
}

function cli(args: string[]): ReturnType<typeof virtbench> {
  const c = virtbench(args, { cwd: tmp, state: join(tmp, 'state'), env: { VIRTBENCH_UNIXBENCH_SOURCE: UNIXBENCH } });
  children.push(c);
  // The latest output of the running virtbench, for a timeout's message (where it was stuck).
  c.all?.on('data', (d: Buffer) => (lastOutput = (lastOutput + d.toString('utf8')).slice(-3000)));
  return c;
}

let lastOutput = '';

async function runDirOf(results: string): Promise<string> {
  const names = (await readdir(results)).filter((n) => !n.startsWith('.'));
  expect(names).toHaveLength(1);
  return join(results, names[0]!);
}

const readState = async (dir: string) => JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) {
      process.stderr.write(`lab-vm: ${what} after ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      return v;
    }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}; virtbench's latest output:\n${lastOutput}`);
}

/**
 * True when an SSH server answers at address:port straight from this machine within 3 s. Only a
 * banner counts: this machine's network accepts any TCP connection (a transparent proxy), so a
 * completed connect proves nothing.
 */
function sshAnswersDirectly(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 3_000);
    s.once('data', (d: Buffer) => done(d.toString('latin1').startsWith('SSH-')));
    s.once('error', () => done(false));
  });
}

const labHostsBlock = () => `hosts:
  lab: { address: 127.0.0.1, port: ${vm!.port}, user: root, key: ${vm!.keyPath}, hostKey: "${vm!.hostKey}" }`;

describe.skipIf(!canRun)('a lab machine reached only over SSH, booted by its own GRUB (QEMU TCG)', () => {
  it('provisions an LXC container inside the lab, reaches it only through the lab, runs UnixBench there, and leaves nothing', async () => {
    const suite = join(tmp, 'lab-lxc.yaml');
    await writeFile(suite, `name: lab-vm-lxc
${labHostsBlock()}
workload:
  unixbench: { iterations: 1, copies: [1], tests: [dhry2reg] }
targets:
  - { name: ${CT.name}, method: lxc, host: lab, network: { bridge: ${CT.bridge}, subnet: ${CT.subnet}, address: ${CT.address} } }
`);
    const dry = await cli(['run', suite, '--dry-run']);
    expect(dry.exitCode, String(dry.all)).toBe(0);
    expect(dry.stdout).toContain(`[root@127.0.0.1:${vm!.port}] $ lxc-start -n ${CT.name} -d`);

    const t0 = Date.now();
    const r = await cli(['run', suite, '--results', join(tmp, 'results-lxc'), '--no-report']);
    expect(r.exitCode, String(r.all).slice(-3000)).toBe(0);
    const resultDir = join(await runDirOf(join(tmp, 'results-lxc')), `${CT.name}-r1`);
    const doc = JSON.parse(await readFile(join(resultDir, 'result.json'), 'utf8'));
    expect(doc).toMatchObject({ status: 'ok', target: { method: 'lxc', host: 'lab' }, workload: { name: 'unixbench', version: '5.1.3' } });
    expect(doc.unixbench.passes[0].tests[0].name).toBe('Dhrystone 2 using register variables');
    expect(doc.unixbench.passes[0].tests[0].value).toBeGreaterThan(0);
    // The machine the container ran on is the lab (its own hostname and kernel), not this one.
    expect(doc.hostManifest.hostname).toBe('lab');
    expect(doc.hostManifest.kernelRelease).toBe(NEW);
    expect(doc.guestFacts.rootfsVia).toBe('uploaded');
    const t = doc.guestFacts.timings;
    process.stderr.write(`LXC on the lab VM: rootfs upload ${t.rootfsUploadSeconds.toFixed(1)} s, copy ${t.copySeconds.toFixed(1)} s, lxc-start to SSH ${t.startToSshSeconds.toFixed(2)} s, create to SSH ${t.createToSshSeconds.toFixed(1)} s; whole run ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);

    // Reached through the lab: the log says so; this machine has no address on the lab's bridge, and
    // no sshd answers it at the container's address.
    const log = await readFile(join(resultDir, 'runner.log'), 'utf8');
    expect(log).toContain(`connecting to root@${CT.address}:22 through root@127.0.0.1:${vm!.port} (jump host)`);
    expect((await execa('ip', ['-j', 'addr', 'show'])).stdout).not.toContain('10.216.33.');
    expect(await sshAnswersDirectly(CT.address, 22)).toBe(false);
    expect(await sshAnswersDirectly('127.0.0.1', vm!.port)).toBe(true); // the check itself sees an sshd

    // Nothing left on the lab: no ownership record (read by `guests list --host`), no container, no bridge.
    const listed = await cli(['guests', 'list', '--suite', suite, '--host', 'lab', '--json']);
    expect(listed.exitCode, String(listed.all)).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    expect((await labSsh(vm!, tmp, 'lxc-ls -1')).stdout.trim()).toBe('');
    expect((await labSsh(vm!, tmp, `ip link show dev ${CT.bridge}`)).exitCode).not.toBe(0);
    const doctor = await cli(['doctor', '--suite', suite, '--host', 'lab', '--method', 'lxc']);
    expect(doctor.stdout, String(doctor.all)).toMatch(/ok +package lxc/);
  }, 30 * 60_000);

  it('reboots into each kernel, verifies it, measures with UnixBench, survives SIGKILL mid-reboot with --resume, and leaves the default kernel', async () => {
    expect(vm!.disk.defaultKernel).toBe(NEW);
    const workload = 'workload:\n  unixbench:\n    iterations: 1\n    copies: [1]\n    tests: [dhry2reg]';
    const text = (seed: number) => suiteText({ seed, releases: [OLD, NEW], timeout: 900, workload });
    const suite = join(tmp, 'upgrade.yaml');
    await writeFile(suite, text(seedStarting(text, OLD)));
    const results = join(tmp, 'results-a');
    const common = ['--results', results, '--no-report', '--json'];

    // The host runs its default (NEW); the first round asks for OLD: kill virtbench mid-reboot.
    const first = cli(['run', suite, ...common]);
    const runDir = await until('the run directory', 60_000, async () => (await runDirOf(results).catch(() => undefined)));
    await until('the reboot into the old kernel', 180_000, async () => ((await readState(runDir)).kernels?.boots?.at(-1)?.status === 'booting' ? true : undefined));
    await until('the lab host going down', 120_000, async () => ((await labSsh(vm!, tmp, 'true', 15_000)).exitCode !== 0 ? true : undefined));
    const killedAt = Date.now();
    process.kill(first.pid!, 'SIGKILL');
    await first;

    const resumed = await cli(['run', '--resume', runDir, ...common]);
    expect(resumed.exitCode, String(resumed.all).slice(-3000)).toBe(0);
    const state = await readState(runDir);
    expect(Object.values(state.steps).map((s: any) => s.status)).toEqual(['ok', 'ok']);
    expect(state.kernels.boots.map((b: any) => `${b.release}:${b.status}`)).toEqual([`${OLD}:interrupted`, `${NEW}:ok`]);
    expect(state.kernels.boots[0].seen).toBe(OLD); // the resumed run found the kernel the killed one asked for
    expect(state.kernels.defaultKernel).toBe(NEW);

    // Each result says which kernel it ran under (verified), how it was booted, and has a real UnixBench score.
    const docs = await Promise.all(['bare-' + OLD + '-r1', 'bare-' + NEW + '-r1'].map(async (id) => JSON.parse(await readFile(join(runDir, id, 'result.json'), 'utf8'))));
    expect(docs.map((d) => d.hostKernel.release)).toEqual([OLD, NEW]);
    expect(docs.map((d) => d.manifest.kernelRelease)).toEqual([OLD, NEW]);
    expect(docs[1].hostKernel.boot).toBe('grub-reboot');
    expect(docs[1].hostKernel.bootSeconds).toBeGreaterThan(5);
    for (const d of docs) expect(d.unixbench.passes[0].tests.find((r: any) => /Dhrystone/.test(r.name)).value).toBeGreaterThan(0);
    process.stderr.write(`reboot to verified kernel ${NEW}: ${docs[1].hostKernel.bootSeconds.toFixed(0)} s; kill-to-finish ${((Date.now() - killedAt) / 1000).toFixed(0)} s\nkernels.log:\n${await readFile(join(runDir, 'kernels.log'), 'utf8')}`);

    // The verdict straight from the run, one command.
    const verdict = await cli(['compare', runDir, '--variable', 'kernel', '--format', 'md']);
    expect([0, 1], String(verdict.all)).toContain(verdict.exitCode);
    expect(String(verdict.stdout)).toContain(`@ ${OLD}`);
    expect(String(verdict.stdout)).toContain(`@ ${NEW}`);
    expect(String(verdict.stdout)).toMatch(/Dhrystone/);

    // Left on its default kernel, with no one-time entry pending.
    expect((await labSsh(vm!, tmp, 'uname -r')).stdout.trim()).toBe(NEW);
    expect((await labSsh(vm!, tmp, 'grub-editenv /boot/grub/grubenv list')).stdout).not.toMatch(/next_entry=\S/);
  }, 30 * 60_000);

  it('a host that does not come back: a clear error naming the kernel and what was seen last, nothing lost, --resume after repair', async () => {
    const text = (seed: number) => suiteText({ seed, releases: [NEW, OLD], timeout: 120, workload: '' });
    const suite = join(tmp, 'stuck.yaml');
    await writeFile(suite, text(seedStarting(text, NEW)));
    const results = join(tmp, 'results-b');
    const common = ['--results', results, '--no-report', '--workload', 'shell-loop-probe', '--probe-seconds', '2'];

    const run = cli(['run', suite, ...common]);
    const runDir = await until('the run directory', 60_000, async () => (await runDirOf(results).catch(() => undefined)));
    await until('the reboot into the old kernel', 180_000, async () => ((await readState(runDir)).kernels?.boots?.at(-1)?.status === 'booting' ? true : undefined));
    // Freeze only once it is really going down: frozen while grub-reboot itself runs, the run
    // fails on the lost connection (SSH_CONNECTION_LOST), not on the reboot deadline.
    await until('the lab host going down', 120_000, async () => ((await labSsh(vm!, tmp, 'true', 15_000)).exitCode !== 0 ? true : undefined));
    await vm!.freeze(); // the machine stops mid-reboot: SSH never answers again
    const failed = await run;
    await vm!.thaw(); // "repaired": it finishes its boot
    await waitForLabSsh(vm!, tmp, 360_000);
    expect(failed.exitCode).not.toBe(0);
    const out = String(failed.all);
    expect(out).toMatch(new RegExp(`did not come back within 120 s after being rebooted into kernel ${OLD.replace(/\./g, '\\.')}`));
    expect(out).toMatch(/last seen: SSH/);
    expect(out).toMatch(/virtbench run --resume/);
    const state = await readState(runDir);
    expect(state.steps[`bare-${NEW}-r1`].status).toBe('ok'); // measured before the reboot: kept
    expect(state.steps[`bare-${OLD}-r1`].error.code).toBe('HOST_REBOOT_TIMEOUT');
    expect(JSON.parse(await readFile(join(runDir, `bare-${NEW}-r1`, 'result.json'), 'utf8')).status).toBe('ok');

    const resumed = await cli(['run', '--resume', runDir, ...common]);
    expect(resumed.exitCode, String(resumed.all).slice(-3000)).toBe(0);
    const after = await readState(runDir);
    expect(after.steps[`bare-${OLD}-r1`].status).toBe('ok');
    expect(JSON.parse(await readFile(join(runDir, `bare-${OLD}-r1`, 'result.json'), 'utf8')).hostKernel.release).toBe(OLD);
    expect(after.kernels.restored.release).toBe(NEW);
    expect((await labSsh(vm!, tmp, 'uname -r')).stdout.trim()).toBe(NEW);
  }, 25 * 60_000);
  // Opt-in (VIRTBENCH_TEST_LAB_KEXEC=1): two kexec switches under TCG take about six minutes, and CI
  // already spends about thirteen on this lab VM; it passed here (kexec to a verified kernel: 135-185 s).
  it.skipIf(process.env.VIRTBENCH_TEST_LAB_KEXEC !== '1')('kexec: boots the other kernel without firmware or GRUB, verifies it, records the method, and ends on the default kernel', async () => {
    const text = (seed: number) => suiteText({ seed, releases: [OLD, NEW], timeout: 600, workload: '', boot: 'kexec' });
    const suite = join(tmp, 'kexec.yaml');
    await writeFile(suite, text(seedStarting(text, OLD)));
    const results = join(tmp, 'results-kexec');
    const r = await cli(['run', suite, '--results', results, '--no-report', '--workload', 'shell-loop-probe', '--probe-seconds', '2']);
    expect(r.exitCode, String(r.all).slice(-3000)).toBe(0);
    const runDir = await runDirOf(results);
    const state = await readState(runDir);
    expect(state.kernels.boots.map((b: any) => `${b.release}:${b.method}:${b.status}`)).toEqual([`${OLD}:kexec:ok`, `${NEW}:kexec:ok`]);
    const old = JSON.parse(await readFile(join(runDir, `bare-${OLD}-r1`, 'result.json'), 'utf8'));
    expect(old.hostKernel).toMatchObject({ release: OLD, boot: 'kexec' }); // verified with uname -r after the boot
    expect(old.hostKernel.bootSeconds).toBeGreaterThan(5);
    process.stderr.write(`kexec to verified kernel ${OLD}: ${old.hostKernel.bootSeconds.toFixed(0)} s\n`);
    expect((await labSsh(vm!, tmp, 'uname -r')).stdout.trim()).toBe(NEW);
  }, 20 * 60_000);
});
