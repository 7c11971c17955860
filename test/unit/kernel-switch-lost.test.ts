import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteError } from '../../src/core/errors.js';
import type { CommandHost, CommandResult, RunOptions } from '../../src/core/host.js';
import type { RunKey } from '../../src/core/provider.js';
import { LabKernels } from '../../src/runner/kernels/lab-kernels.js';
import { RunStateFile, type RunState } from '../../src/runner/run-state.js';

/**
 * What the kernel switcher does when the lab host drops the connection while it is asked to
 * reboot (it died, or went down faster than grub-reboot returned). The lab machine here is a FAKE
 * (an in-memory host that answers the few commands a switch runs): the real reboots are in
 * test/integration/lab-vm.test.ts, where a connection lost at exactly that moment cannot be
 * arranged on purpose.
 */
const GRUB_CFG = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'grub', 'debian12-two-kernels.cfg'), 'utf8');
const OLD = '6.1.0-47-cloud-amd64';
const NEW = '6.1.0-50-cloud-amd64';

/** A fake lab machine: one running kernel and boot id; `grub-reboot` drops the connection. */
class FakeLab {
  release = NEW;
  bootId = 'boot-1';
  up = true;
  /** After the dropped connection: comes back on the one-time entry, or never. */
  constructor(private readonly afterDrop: 'comes-back' | 'never') {}

  /** A new boot into `release`. */
  boot(release: string): void {
    Object.assign(this, { up: true, release, bootId: `boot-${Number(this.bootId.slice(5)) + 1}` });
  }

  host(): CommandHost {
    const lab = this;
    const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' }) as CommandResult;
    return {
      name: 'root@lab:22',
      isLocal: false,
      async run(argv: readonly string[], _opts?: RunOptions): Promise<CommandResult> {
        if (!lab.up) throw new RemoteError('SSH_CONNECTION_LOST', 'the connection to root@lab:22 was lost');
        if (argv[0] === 'grub-reboot') {
          lab.up = false;
          if (lab.afterDrop === 'comes-back') setTimeout(() => lab.boot(OLD), 50);
          throw new RemoteError('SSH_CONNECTION_LOST', 'the connection to root@lab:22 was lost while running grub-reboot');
        }
        if (argv[0] === 'sh' && String(argv[2]).startsWith('uname -r')) return ok(`${lab.release}\n${lab.bootId}\n`);
        if (argv[0] === 'sh') return ok('/usr/sbin/grub-reboot\n'); // command -v
        if (argv[0] === 'grub-editenv') return ok('');
        throw new Error(`the fake lab does not know ${argv.join(' ')}`);
      },
      async readFile(path: string) {
        if (path !== '/boot/grub/grub.cfg') throw new Error(`the fake lab has no ${path}`);
        return Buffer.from(GRUB_CFG);
      },
      async writeFile() {
        throw new Error('not used');
      },
      async close() {},
    };
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vb-kswitch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function switcher(lab: FakeLab, rebootTimeoutSeconds: number): { kernels: LabKernels; state: RunStateFile; warnings: string[] } {
  const state = new RunStateFile(dir, { runId: 'r1', steps: {}, attempts: [] } as unknown as RunState);
  const warnings: string[] = [];
  const kernels = new LabKernels({
    plan: { host: 'lab', releases: [OLD, NEW], boot: 'grub-reboot', rebootTimeoutSeconds },
    suiteHost: { name: 'lab' } as never,
    key: {} as RunKey,
    state,
    emit: (e) => { if (e.type === 'warning') warnings.push(e.message); },
    signal: new AbortController().signal,
    openHost: async () => {
      if (!lab.up) throw new RemoteError('SSH_CONNECT_FAILED', 'connect ECONNREFUSED 127.0.0.1:22');
      return lab.host();
    },
    runDir: dir,
  });
  return { kernels, state, warnings };
}

describe('a lab host that drops the connection while it is asked to reboot', () => {
  it('is waited for as for the reboot: it came back on the kernel asked for, verified', async () => {
    const lab = new FakeLab('comes-back');
    const { kernels, state, warnings } = switcher(lab, 30);
    const host = await kernels.ensure(lab.host(), OLD);
    expect((await host.run(['sh', '-c', 'uname -r; cat /proc/sys/kernel/random/boot_id'])).stdout).toContain(OLD);
    expect(state.state.kernels!.boots.map((b) => `${b.release}:${b.status}`)).toEqual([`${OLD}:ok`]);
    expect(warnings.join('\n')).toMatch(/dropped while asking for the reboot \(SSH_CONNECTION_LOST\)/);
    expect(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')).kernels.boots[0].status).toBe('ok');
    // kernels.log tells the wait apart: the switch asked for, the host seen down, then back on the new boot.
    await kernels.flushLog();
    const log = await readFile(join(dir, 'kernels.log'), 'utf8');
    expect(log).toMatch(/rebooting lab into kernel 6\.1\.0-47-cloud-amd64 \(grub-reboot\)/);
    expect(log).toMatch(/SSH: connect ECONNREFUSED .* s after the reboot\)/);
    expect(log).toMatch(new RegExp(`SSH answered from a new boot \\(kernel ${OLD.replace(/\./g, '\\.')}, boot boot-2\\)`));
  });

  it('never comes back: the reboot deadline\'s error, naming the kernel and the resume command, not a bare lost connection', async () => {
    const lab = new FakeLab('never');
    const { kernels, state } = switcher(lab, 3);
    const err = await kernels.ensure(lab.host(), OLD).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('HOST_REBOOT_TIMEOUT');
    expect(err?.message).toMatch(new RegExp(`did not come back within 3 s after being rebooted into kernel ${OLD.replace(/\./g, '\\.')}; last seen: SSH: connect ECONNREFUSED`));
    expect(state.state.kernels!.boots.map((b) => `${b.release}:${b.status}`)).toEqual([`${OLD}:failed`]);
  }, 15_000);

  it('a host that rebooted on its own between steps is asked again (its kernel is probed, never taken from the last switch)', async () => {
    const lab = new FakeLab('comes-back');
    const { kernels, state, warnings } = switcher(lab, 30);
    let host = await kernels.ensure(lab.host(), OLD);
    lab.boot(NEW); // a watchdog reboot: GRUB's one-time entry is used up, so the default kernel runs
    host = await kernels.ensure(host, OLD);
    expect(lab.release).toBe(OLD);
    expect(kernels.current).toMatchObject({ release: OLD, boot: 'grub-reboot', bootId: lab.bootId });
    expect(warnings.join('\n')).toMatch(/rebooted on its own since the last step \(it now runs kernel 6\.1\.0-50-cloud-amd64/);
    expect(state.state.kernels!.boots.map((b) => `${b.release}:${b.status}`)).toEqual([`${OLD}:ok`, `${OLD}:ok`]);
  });

  it('a host that rebooted during a step: the check after the step refuses to vouch for its result', async () => {
    const lab = new FakeLab('comes-back');
    const { kernels } = switcher(lab, 30);
    const host = await kernels.ensure(lab.host(), OLD);
    await expect(kernels.checkStillBooted(host)).resolves.toBeUndefined(); // same boot: the result stands
    const verified = lab.bootId;
    lab.boot(NEW);
    const err = await kernels.checkStillBooted(host).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('HOST_REBOOTED_DURING_STEP');
    expect(err?.message).toContain(`verified boot ${verified} on kernel ${OLD}; it now runs ${NEW}, boot ${lab.bootId}`);
  });

  it('a host that went down during a step (the connection is dead): the check names the kernel and the resume, not a bare lost connection', async () => {
    const lab = new FakeLab('never');
    const { kernels } = switcher(lab, 30);
    lab.up = true;
    const host = await kernels.ensure(lab.host(), NEW); // already runs NEW: no reboot
    const verified = lab.bootId;
    lab.up = false; // it crashed mid-step
    const err = await kernels.checkStillBooted(host).then(() => undefined, (e: Error & { code?: string; hint?: string }) => e);
    expect(err?.code).toBe('HOST_LOST_DURING_STEP');
    expect(err?.message).toContain(`stopped answering during the step (verified boot ${verified} on kernel ${NEW}; SSH_CONNECTION_LOST`);
    expect(err?.hint).toContain(`virtbench run --resume ${dir}`);
  });
});
