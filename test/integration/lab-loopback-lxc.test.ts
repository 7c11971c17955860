import { execa } from 'execa';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtbench } from '../support/cli.js';
import { listOwned } from '../../src/providers/ownership.js';
import { createRunKey } from '../../src/remote/keys.js';
import { startTestSshd, type TestSshd } from '../support/sshd.js';

/**
 * LXC on a "remote" host that is this machine reached over SSH (a private OpenSSH sshd on
 * loopback): every provider command goes through SshHost exactly as for a lab box, the guest is
 * reached through that host as a jump host, real UnixBench 5.1.3 runs in it (-i 1, dhry2reg),
 * and nothing is left: no container, no bridge, no ownership record. Runs in CI.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE = process.env.VIRTBENCH_UNIXBENCH_SOURCE;
const haveLxc = process.getuid?.() === 0 && (await execa('which', ['lxc-start'], { reject: false })).exitCode === 0;
const GUEST = { name: 'vbt16-lo-lxc', bridge: 'vbt16lo', subnet: '10.216.17.0/24', address: '10.216.17.20' };

let tmp: string;
let sshd: TestSshd | undefined;
let keyPath: string;

beforeAll(async () => {
  tmp = await mkdtemp('/tmp/vbt16-lo-');
  if (!SOURCE || !haveLxc) return;
  const key = await createRunKey(join(tmp, 'labkey'));
  keyPath = key.privateKeyPath;
  sshd = await startTestSshd({ publicKey: key.publicKey, tmpPrefix: '/tmp/vbt16-lo-sshd-' });
});

afterAll(async () => {
  await sshd?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => virtbench(args, { cwd: tmp, state: join(tmp, 'cli-state') });

describe.skipIf(!SOURCE || !haveLxc)('an LXC container on a remote host reached over SSH (this machine, through loopback sshd)', () => {
  it('provisions through SshHost, reaches the container through the host as a jump, runs UnixBench, leaves nothing', async () => {
    const suite = join(tmp, 'lab.yaml');
    await writeFile(suite, `name: vbt16-loopback-lxc
hosts:
  lab: { address: 127.0.0.1, port: ${sshd!.port}, user: root, key: ${keyPath}, hostKey: "${sshd!.hostKey}" }
workload:
  unixbench: { iterations: 1, copies: [1], tests: [dhry2reg] }
targets:
  - { name: ${GUEST.name}, method: lxc, host: lab, network: { bridge: ${GUEST.bridge}, subnet: ${GUEST.subnet}, address: ${GUEST.address} } }
`);
    const t0 = Date.now();
    const r = await cli(['run', suite, '--unixbench-source', SOURCE!, '--results', join(tmp, 'results'), '--no-report']);
    expect(r.exitCode, r.stderr.slice(-3000)).toBe(0);
    const runs = await readdir(join(tmp, 'results'));
    const resultDir = join(tmp, 'results', runs[0]!, `${GUEST.name}-r1`);
    const doc = JSON.parse(await readFile(join(resultDir, 'result.json'), 'utf8'));
    expect(doc).toMatchObject({ status: 'ok', target: { method: 'lxc' }, workload: { name: 'unixbench', version: '5.1.3' } });
    expect(doc.unixbench.passes[0].tests[0].name).toBe('Dhrystone 2 using register variables');
    expect(doc.unixbench.passes[0].tests[0].value).toBeGreaterThan(0);
    const t = doc.guestFacts.timings;
    console.log(`remote LXC over loopback SSH: rootfs ${doc.guestFacts.rootfsVia}, copy ${t.copySeconds.toFixed(1)} s, lxc-start to SSH ${t.startToSshSeconds.toFixed(2)} s, create to SSH ${t.createToSshSeconds.toFixed(1)} s; whole run ${((Date.now() - t0) / 1000).toFixed(0)} s`);

    const log = await readFile(join(resultDir, 'runner.log'), 'utf8');
    expect(log).toContain(`connecting to root@${GUEST.address}:22 through root@127.0.0.1:${sshd!.port} (jump host)`);

    // Nothing left on the host: its records (read over SSH), the container, the bridge.
    const listed = await cli(['guests', 'list', '--suite', suite, '--host', 'lab', '--json']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).filter((g: { name?: string }) => g.name === GUEST.name)).toEqual([]);
    expect((await listOwned()).filter((o) => o.name === GUEST.name)).toEqual([]);
    expect((await execa('lxc-info', ['-n', GUEST.name], { reject: false })).exitCode).not.toBe(0);
    expect((await execa('ip', ['link', 'show', GUEST.bridge], { reject: false })).exitCode).not.toBe(0);
  }, 10 * 60_000);
});
