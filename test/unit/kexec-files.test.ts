import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandHost, CommandResult } from '../../src/core/host.js';
import { startBoot } from '../../src/runner/kernels/boot.js';
import { parseGrubMenu } from '../../src/runner/kernels/grub-menu.js';

/**
 * kexec loads the files GRUB's entry for the kernel boots, found on the running host. The lab
 * host is a FAKE here (it holds a set of file paths and records the commands it is given); the
 * real kexec switch is the opt-in test in test/integration/lab-vm.test.ts.
 */
function fakeHost(files: string[]): { host: CommandHost; commands: string[][] } {
  const commands: string[][] = [];
  const result = (exitCode: number): CommandResult => ({ exitCode, stdout: '', stderr: '' }) as CommandResult;
  const host: CommandHost = {
    name: 'root@lab:22',
    isLocal: false,
    async run(argv) {
      commands.push([...argv]);
      if (argv[0] === 'test') return result(files.includes(argv[2]!) ? 0 : 1);
      return result(0);
    },
    async readFile() {
      throw new Error('not used');
    },
    async writeFile() {
      throw new Error('not used');
    },
    async close() {},
  };
  return { host, commands };
}

const kexecLoad = (commands: string[][]) => commands.find((c) => c[0] === 'kexec');

describe('kexec: the kernel and initramfs of the GRUB entry', () => {
  it('Debian: /boot/vmlinuz-R and /boot/initrd.img-R, with the entry\'s command line, then systemctl kexec', async () => {
    const cfg = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'grub', 'debian12-two-kernels.cfg'), 'utf8');
    const release = '6.1.0-47-cloud-amd64';
    const { host, commands } = fakeHost([`/boot/vmlinuz-${release}`, `/boot/initrd.img-${release}`]);
    await startBoot(host, { menu: parseGrubMenu(cfg) }, release, 'kexec');
    expect(kexecLoad(commands)).toEqual(['kexec', '-l', `/boot/vmlinuz-${release}`, `--initrd=/boot/initrd.img-${release}`, expect.stringMatching(/^--command-line=root=UUID=[0-9a-f-]{36} ro console=ttyS0/)]);
    expect(commands.at(-1)).toEqual(['systemctl', 'kexec']);
  });

  const separateBoot = (initrdLine: string) => `menuentry 'Fedora Linux (6.5.6-300.fc39.x86_64)' --class fedora $menuentry_id_option 'fedora-6.5.6' {
	linux /vmlinuz-6.5.6-300.fc39.x86_64 root=UUID=0f6c ro rhgb
	${initrdLine}
}
`;
  const FEDORA = '6.5.6-300.fc39.x86_64';

  it('a separate /boot partition (GRUB names /vmlinuz-R) and another distribution\'s initramfs name', async () => {
    const { host, commands } = fakeHost([`/boot/vmlinuz-${FEDORA}`, `/boot/initramfs-${FEDORA}.img`]);
    await startBoot(host, { menu: parseGrubMenu(separateBoot(`initrd /initramfs-${FEDORA}.img`)) }, FEDORA, 'kexec');
    expect(kexecLoad(commands)).toEqual(['kexec', '-l', `/boot/vmlinuz-${FEDORA}`, `--initrd=/boot/initramfs-${FEDORA}.img`, '--command-line=root=UUID=0f6c ro rhgb']);
  });

  it('an early-microcode image listed first: kexec gets the initramfs (the last one)', async () => {
    const { host, commands } = fakeHost([`/boot/vmlinuz-${FEDORA}`, '/boot/intel-ucode.img', `/boot/initramfs-${FEDORA}.img`]);
    await startBoot(host, { menu: parseGrubMenu(separateBoot(`initrd /intel-ucode.img /initramfs-${FEDORA}.img`)) }, FEDORA, 'kexec');
    expect(kexecLoad(commands)?.[3]).toBe(`--initrd=/boot/initramfs-${FEDORA}.img`);
  });

  it('GRUB on a btrfs subvolume names /@/boot/vmlinuz-R: found by its file name in /boot', async () => {
    const { host, commands } = fakeHost([`/boot/vmlinuz-${FEDORA}`, `/boot/initramfs-${FEDORA}.img`]);
    const cfg = separateBoot(`initrd /@/boot/initramfs-${FEDORA}.img`).replace(`linux /vmlinuz-`, 'linux /@/boot/vmlinuz-');
    await startBoot(host, { menu: parseGrubMenu(cfg) }, FEDORA, 'kexec');
    expect(kexecLoad(commands)?.slice(2, 4)).toEqual([`/boot/vmlinuz-${FEDORA}`, `--initrd=/boot/initramfs-${FEDORA}.img`]);
  });

  it('an initramfs GRUB names but the host lacks: a clear error, never a kernel booted without it', async () => {
    const { host, commands } = fakeHost([`/boot/vmlinuz-${FEDORA}`]);
    await expect(startBoot(host, { menu: parseGrubMenu(separateBoot(`initrd /initramfs-${FEDORA}.img`)) }, FEDORA, 'kexec')).rejects.toThrow(/initramfs of 6\.5\.6-300\.fc39\.x86_64 \(\/initramfs-6\.5\.6-300\.fc39\.x86_64\.img\) is not on root@lab:22/);
    expect(commands.filter((c) => c[0] === 'kexec' || c[0] === 'systemctl')).toEqual([]);
  });

  it('a kernel image that is not on the host: a clear error before anything is loaded or rebooted', async () => {
    const { host, commands } = fakeHost([]);
    await expect(startBoot(host, { menu: parseGrubMenu(separateBoot(`initrd /initramfs-${FEDORA}.img`)) }, FEDORA, 'kexec')).rejects.toThrow(/kernel image of 6\.5\.6-300\.fc39\.x86_64 \(\/vmlinuz-6\.5\.6-300\.fc39\.x86_64\) is not on root@lab:22/);
    expect(commands.filter((c) => c[0] === 'kexec' || c[0] === 'systemctl')).toEqual([]);
  });
});
