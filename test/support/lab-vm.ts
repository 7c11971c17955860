import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packagesFor } from '../../src/core/apt-packages.js';
import { LocalHost } from '../../src/hosts/local.js';
import { freeLoopbackPort } from '../../src/hosts/ports.js';
import { buildBootDisk, type BootDisk } from '../../src/providers/images/boot-disk.js';
import { makeSeedDisk } from '../../src/providers/images/seed-disk.js';
import { QmpClient } from '../../src/providers/kvm/qmp.js';
import { pidAlive } from './processes.js';

/**
 * A lab machine for the host-kernel tests: a QEMU guest (TCG here) that boots by its own GRUB
 * from a copy-on-write overlay of the cached boot disk (two Debian kernels installed), reached
 * only over SSH on a forwarded loopback port. Reboots stay inside the one QEMU process. It has
 * what the LXC provider needs, so containers run inside it on its own private bridge.
 */
export const LAB_KERNELS = ['linux-image-6.1.0-47-cloud-amd64', 'linux-image-6.1.0-50-cloud-amd64'];
/** What the LXC provider needs on a host (the same list doctor checks), so the lab can run containers. */
const LAB_PACKAGES = packagesFor('lxc').map((p) => p.package);
export const LAB_DISK_SPEC = { release: 'bookworm', arch: 'amd64' as const, mirror: 'http://deb.debian.org/debian', kernelPackages: LAB_KERNELS, extraPackages: LAB_PACKAGES, sizeGiB: 6 };

export interface LabVm {
  disk: BootDisk;
  port: number;
  hostKey: string;
  keyPath: string;
  /** The QEMU running now (a new one after each reboot). */
  readonly pid: number;
  /** Why QEMU stopped for good (undefined while it runs or restarts after a reboot). */
  readonly exited: string | undefined;
  console: string;
  /** Stop QEMU by its PID (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
  /**
   * Pause or resume the whole machine (QMP stop/cont): a host that does not come back. QMP stop
   * also stops the guest's clock, so the resumed guest sees no jump in time. (SIGSTOP/SIGCONT does
   * not: minutes pass at once for the guest's kernel and systemd, and in one CI run the thawed lab
   * never answered SSH again.)
   */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
}

export function labDisk(progress = (m: string) => process.env.VIRTBENCH_DEBUG && process.stderr.write(`${m}\n`)): Promise<BootDisk> {
  return buildBootDisk(new LocalHost(), LAB_DISK_SPEC, (e) => progress(`[${e.subject}] ${e.message}`));
}

export async function startLabVm(dir: string, disk: BootDisk): Promise<LabVm> {
  const overlay = join(dir, 'lab.qcow2');
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', disk.disk, overlay]);
  const keyPath = join(dir, 'lab_key');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'virtbench-lab-test', '-f', keyPath]);
  const seed = await makeSeedDisk(new LocalHost(), dir, {
    hostname: 'lab',
    authorizedKey: await readFile(`${keyPath}.pub`, 'utf8'),
    network: '[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n',
    growRoot: false,
  });
  const port = await freeLoopbackPort();
  const console = join(dir, 'console.log');
  const qmpPath = join(dir, 'qmp.sock');
  const args = [
    '-machine', 'pc', '-accel', 'tcg', '-cpu', 'max', '-smp', '1', '-m', '1024',
    // A guest reboot ends this QEMU, and a new one starts on the same disks (see below).
    '-no-reboot',
    '-display', 'none', '-monitor', 'none', '-qmp', `unix:${qmpPath},server=on,wait=off`,
    '-chardev', `file,id=console,path=${console},append=on`, '-serial', 'chardev:console',
    '-drive', `file=${overlay},if=virtio,format=qcow2,cache=unsafe`,
    '-drive', `file=${seed.path},if=virtio,format=raw,readonly=on`,
    '-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=n0',
  ];
  // Each reboot of the lab is a power cycle: QEMU exits (-no-reboot) and a new QEMU boots the same
  // disks, so GRUB, its one-time entry and the kernel run as on a machine that was reset. A warm
  // reset inside one TCG QEMU was measured here to make the next boot two to three times slower
  // (GRUB took 18-75 s to load the initrd instead of 3 s, the kernel 82 s to sshd instead of 35 s).
  let stopped = false;
  let child: ResultPromise | undefined;
  let exit: string | undefined;
  const launch = () => {
    const startedAt = Date.now();
    const c: ResultPromise = execa('qemu-system-x86_64', args, { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
    child = c;
    void c.then((r) => {
      if (stopped) return;
      // QEMU that fails at once (a bad option, the port taken) would fail again: no loop.
      if (r.exitCode !== 0 || Date.now() - startedAt < 2_000) exit = `QEMU exited ${r.exitCode ?? r.signal}: ${String(r.stderr).slice(-500)}`;
      else launch();
    });
  };
  launch();
  return {
    disk, port, hostKey: seed.hostKey, keyPath, console,
    get pid() {
      return child!.pid!;
    },
    get exited() {
      return exit;
    },
    freeze: () => qmp(qmpPath, 'stop'),
    thaw: () => qmp(qmpPath, 'cont'),
    async stop() {
      stopped = true;
      const pid = child?.pid;
      if (!pid || !pidAlive(pid)) return;
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
      await child!.catch(() => undefined);
    },
  };
}

async function qmp(path: string, command: string): Promise<void> {
  const client = await QmpClient.connect(path);
  try {
    await client.execute(command);
  } finally {
    client.close();
  }
}

/** Run a command on the lab VM with the OpenSSH client, the host key pinned. */
export async function labSsh(vm: LabVm, dir: string, command: string, timeoutMs = 60_000): Promise<{ stdout: string; exitCode: number }> {
  const knownHosts = join(dir, 'lab_known_hosts');
  await execa('sh', ['-c', 'printf "%s\\n" "$1" > "$2"', 'sh', `[127.0.0.1]:${vm.port} ${vm.hostKey}`, knownHosts]);
  const r = await execa('ssh', ['-i', vm.keyPath, '-p', String(vm.port), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', 'root@127.0.0.1', command], { reject: false, stdin: 'ignore', timeout: timeoutMs });
  return { stdout: String(r.stdout), exitCode: r.exitCode ?? -1 };
}

export async function waitForLabSsh(vm: LabVm, dir: string, deadlineMs: number): Promise<string> {
  const t0 = Date.now();
  while (Date.now() - t0 < deadlineMs) {
    const r = await labSsh(vm, dir, 'uname -r', 20_000);
    if (r.exitCode === 0) return r.stdout.trim();
    if (vm.exited) throw new Error(`${vm.exited}; console:\n${(await readFile(vm.console, 'utf8').catch(() => '')).slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
  throw new Error(`the lab VM did not answer SSH within ${deadlineMs / 1000} s; console:\n${(await readFile(vm.console, 'utf8').catch(() => '')).slice(-3000)}`);
}
