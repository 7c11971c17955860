import { execa } from 'execa';
import { connect } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtbench } from '../support/cli.js';
import { REMOTE_OWNED_DIR } from '../../src/providers/ownership.js';
import { REMOTE_KVM_DIR } from '../../src/providers/kvm/remote-host.js';
import { createRunKey } from '../../src/remote/keys.js';
import { pidAlive } from '../support/processes.js';
import { startTestSshd, type TestSshd } from '../support/sshd.js';
import { UNIXBENCH_SOURCE } from '../support/unixbench.js';
import { canMakeNetns, createLabNetns, netnsExists, type LabNetns } from '../support/netns.js';

/**
 * KVM on a lab host reachable only over SSH: a network namespace of its own (test/support/netns.ts)
 * with a private OpenSSH sshd on its address. Its 127.0.0.1 is not this machine's, so the guest's
 * sshd, forwarded to the lab's loopback, can be reached only through the lab as a jump host (a
 * direct dial from here finds nothing: checked). QEMU is started there through SshHost, watched
 * through its QMP socket forwarded over the same SSH connection (streamlocal), and everything is
 * stopped and removed there: QEMU, the guest's folder, the ownership record. Ctrl-C mid-boot leaves
 * nothing either; after a SIGKILL, `guests list|destroy --host` find and remove what the killed run
 * left there. The lab shares this machine's filesystem and processes (the leak checks read them
 * directly). TCG here: UnixBench 5.1.3 dhry2reg, one iteration, where the tests have its source
 * (the shell-loop probe otherwise), and the probe in the two interrupt tests.
 */
const canRun = process.getuid?.() === 0 && (await canMakeNetns()) && (await execa('which', ['qemu-system-x86_64', 'debootstrap'], { reject: false })).exitCode === 0;
const NAME = 'vbt16-lo-kvm';

let tmp: string;
let sshd: TestSshd | undefined;
let lab: LabNetns | undefined;
let keyPath: string;

beforeAll(async () => {
  tmp = await mkdtemp('/tmp/vbt16-lok-');
  if (!canRun) return;
  const key = await createRunKey(join(tmp, 'labkey'));
  keyPath = key.privateKeyPath;
  lab = await createLabNetns('kvm');
  sshd = await startTestSshd({ publicKey: key.publicKey, tmpPrefix: '/tmp/vbt16-lok-sshd-', netns: { name: lab.name, listenAddress: lab.labAddress } });
});

/** QEMU left by the SIGKILL test, stopped here by its PID if the test failed before destroying it. */
let orphanedQemu: number | undefined;

afterAll(async () => {
  if (orphanedQemu && pidAlive(orphanedQemu)) process.kill(orphanedQemu, 'SIGKILL');
  await sshd?.stop();
  if (lab) {
    await lab.remove();
    expect(await netnsExists(lab.name), `network namespace ${lab.name} left behind`).toBe(false);
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => virtbench(args, { cwd: tmp, state: join(tmp, 'cli-state') });

/** What a run left on the "remote" host for this guest name: records, guest folders, QEMU processes. */
async function leftOnHost(): Promise<string[]> {
  const records = (await readdir(REMOTE_OWNED_DIR).catch(() => [] as string[])).filter((f) => f.endsWith(`--${NAME}.json`));
  const dirs = (await readdir(REMOTE_KVM_DIR).catch(() => [] as string[])).filter((d) => d.endsWith(`--${NAME}`));
  const ps = await execa('ps', ['-eo', 'pid=,args='], { reject: false });
  const qemus = String(ps.stdout).split('\n').filter((l) => l.includes('qemu-system') && l.includes(`${REMOTE_KVM_DIR}/`) && l.includes(`--${NAME}/`));
  return [...records.map((r) => `record ${r}`), ...dirs.map((d) => `folder ${d}`), ...qemus.map((q) => `qemu ${q.trim().slice(0, 80)}`)];
}

function suiteText(workload = ''): string {
  return `name: vbt16-netns-kvm
${workload}hosts:
  lab: { address: ${lab!.labAddress}, port: ${sshd!.port}, user: root, key: ${keyPath}, hostKey: "${sshd!.hostKey}" }
targets:
  - { name: ${NAME}, method: kvm, host: lab, accel: tcg, cpuModel: max, cpus: 1, memoryMiB: 768, net: { mode: user } }
`;
}

describe.skipIf(!canRun)('a KVM guest on a lab host reachable only over SSH (a network namespace of its own)', () => {
  it('plans per host, boots QEMU there watched over forwarded QMP, runs UnixBench in the guest through the host, and removes everything', async () => {
    const suite = join(tmp, 'kvm.yaml');
    // Real UnixBench 5.1.3 (dhry2reg, one iteration) where the tests have its source (always under CI).
    await writeFile(suite, suiteText(UNIXBENCH_SOURCE ? 'workload:\n  unixbench: { iterations: 1, copies: [1], tests: [dhry2reg] }\n' : ''));
    if (!UNIXBENCH_SOURCE) console.warn(`no UnixBench source: the remote KVM guest runs the shell-loop probe instead`);
    const dry = await cli(['run', suite, '--dry-run']);
    expect(dry.exitCode, String(dry.all)).toBe(0);
    expect(dry.stdout).toContain(`[root@${lab!.labAddress}:${sshd!.port}] $ qemu-system-x86_64`);
    expect(dry.stdout).toMatch(new RegExp(`${REMOTE_KVM_DIR}/\\S*--${NAME}/qmp\\.sock`));

    const workloadArgs = UNIXBENCH_SOURCE ? ['--unixbench-source', UNIXBENCH_SOURCE] : ['--workload', 'shell-loop-probe', '--probe-seconds', '2'];
    const r = await cli(['run', suite, ...workloadArgs, '--results', join(tmp, 'results'), '--no-report']);
    expect(r.exitCode, String(r.all).slice(-4000)).toBe(0);
    const runDir = join(tmp, 'results', (await readdir(join(tmp, 'results')))[0]!);
    const resultDir = join(runDir, `${NAME}-r1`);
    const doc = JSON.parse(await readFile(join(resultDir, 'result.json'), 'utf8'));
    expect(doc).toMatchObject({ status: 'ok', target: { method: 'kvm', host: 'lab' }, emulated: true });
    if (UNIXBENCH_SOURCE) {
      expect(doc.workload).toMatchObject({ name: 'unixbench', version: '5.1.3' });
      const dhry = doc.unixbench.passes[0].tests[0];
      expect(dhry.name).toBe('Dhrystone 2 using register variables');
      expect(dhry.value).toBeGreaterThan(0);
      console.log(`UnixBench dhry2reg in the remote KVM guest (TCG): ${dhry.value} ${dhry.unit ?? ''}`);
    }
    expect(doc.guestFacts.remoteWorkDir).toMatch(new RegExp(`^${REMOTE_KVM_DIR}/`));
    expect(doc.guestFacts.imageVia).toMatch(/^(cache|uploaded|built)$/);
    expect(doc.guestFacts.bootToSshSeconds).toBeGreaterThan(0);
    console.log(`remote KVM on a network-namespace lab over SSH (TCG): QEMU start to guest SSH ${doc.guestFacts.bootToSshSeconds} s, disk image ${doc.guestFacts.imageVia}`);
    const log = await readFile(join(resultDir, 'runner.log'), 'utf8');
    expect(log).toMatch(new RegExp(`connecting to root@127\\.0\\.0\\.1:\\d+ through root@${lab!.labAddress.replace(/\./g, '\\.')}:${sshd!.port} \\(jump host\\)`));

    expect(await leftOnHost()).toEqual([]);
    const listed = await cli(['guests', 'list', '--suite', suite, '--host', 'lab', '--json']);
    expect(listed.exitCode, String(listed.all)).toBe(0);
    expect(JSON.parse(listed.stdout).filter((g: { name?: string }) => g.name === NAME)).toEqual([]);
  }, 15 * 60_000);

  it('Ctrl-C while the guest boots stops QEMU on the host and leaves nothing there', async () => {
    const suite = join(tmp, 'kvm-int.yaml');
    await writeFile(suite, suiteText());
    const run = cli(['run', suite, '--workload', 'shell-loop-probe', '--probe-seconds', '2', '--results', join(tmp, 'results-int'), '--no-report']);
    const pid = await qemuStartedFor(run);
    run.kill('SIGINT');
    const done = await run;
    expect(done.exitCode).not.toBe(0);
    expect(pidAlive(pid)).toBe(false);
    expect(await leftOnHost()).toEqual([]);
  }, 10 * 60_000);

  it('SIGKILL while the guest boots leaves QEMU running there: guests list --host shows it orphaned, guests destroy --host removes it all', async () => {
    const suite = join(tmp, 'kvm-kill.yaml');
    await writeFile(suite, suiteText());
    const run = cli(['run', suite, '--workload', 'shell-loop-probe', '--probe-seconds', '2', '--results', join(tmp, 'results-kill'), '--no-report']);
    const pid = await qemuStartedFor(run);
    run.kill('SIGKILL');
    await run;
    orphanedQemu = pid;
    expect(pidAlive(pid), 'QEMU outlived the killed run').toBe(true);

    const listed = await cli(['guests', 'list', '--suite', suite, '--host', 'lab', '--json']);
    expect(listed.exitCode, String(listed.all)).toBe(0);
    const row = JSON.parse(listed.stdout).find((g: { name?: string }) => g.name === NAME);
    expect(row).toMatchObject({ method: 'kvm', orphaned: true, handle: { pid } });
    // The guest's sshd is forwarded to the lab's loopback: from here that port takes no
    // connection, inside the lab QEMU's forward takes one. Only the jump reaches it.
    const guestPort = row.handle.sshPort as number;
    expect(guestPort).toBeGreaterThan(0);
    expect(await tcpAnswers('127.0.0.1', guestPort), `the lab's loopback port ${guestPort} answered on this machine's loopback`).toBe(false);
    const inside = await execa('ip', ['netns', 'exec', lab!.name, 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${guestPort}`], { reject: false, timeout: 10_000 });
    expect(inside.exitCode, `nothing listens on the lab's 127.0.0.1:${guestPort}: ${inside.stderr}`).toBe(0);
    const destroyed = await cli(['guests', 'destroy', row.key, '--suite', suite, '--host', 'lab']);
    expect(destroyed.exitCode, String(destroyed.all)).toBe(0);
    expect(pidAlive(pid)).toBe(false);
    expect(await leftOnHost()).toEqual([]);
  }, 10 * 60_000);
});

/** Wait until QEMU runs on the host for this run (its ownership record there carries its PID). */
async function qemuStartedFor(run: ReturnType<typeof cli>): Promise<number> {
  const t0 = Date.now();
  let pid: number | undefined;
  let finished = false;
  void run.finally(() => (finished = true));
  while (!pid && !finished && Date.now() - t0 < 5 * 60_000) {
    const rec = (await readdir(REMOTE_OWNED_DIR).catch(() => [] as string[])).find((f) => f.endsWith(`--${NAME}.json`));
    if (rec) pid = JSON.parse(await readFile(join(REMOTE_OWNED_DIR, rec), 'utf8').catch(() => '{}')).handle?.pid;
    if (!pid) await new Promise((res) => setTimeout(res, 300));
  }
  expect(pid, `QEMU never started on the host; virtbench said:\n${finished ? String((await run).all).slice(-3000) : '(still running)'}`).toBeGreaterThan(1);
  return pid!;
}

/** Whether anything accepts a TCP connection there within 3 s. */
function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(3000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
