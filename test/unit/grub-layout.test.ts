import { describe, expect, it } from 'vitest';
import type { CommandHost, CommandResult } from '../../src/core/host.js';
import { readGrub } from '../../src/runner/kernels/boot.js';

/**
 * Lab hosts whose GRUB virtbench cannot drive (Fedora/RHEL layout) get a clear error before any
 * reboot. The hosts are FAKES: a map of file contents and the paths that exist.
 */
function fakeHost(files: Record<string, string>): CommandHost {
  const result = (exitCode: number, stdout = ''): CommandResult => ({ exitCode, stdout, stderr: '' }) as CommandResult;
  return {
    name: 'root@fedora-lab:22',
    isLocal: false,
    async run(argv) {
      if (argv[0] === 'test') return result(argv[2]! in files ? 0 : 1);
      if (argv[0] === 'grub-editenv') return result(0, 'saved_entry=0\n');
      return result(127);
    },
    async readFile(path) {
      if (!(path in files)) throw new Error(`No such file: ${path}`);
      return Buffer.from(files[path]!);
    },
    async writeFile() {
      throw new Error('not used');
    },
    async close() {},
  };
}

// The kernel part of a grub.cfg that Fedora's grub2-mkconfig writes: the menu comes from /boot/loader/entries.
const BLS_CFG = `set default="\${saved_entry}"
insmod blscfg
blscfg
### END /etc/grub.d/10_linux ###
`;

describe('GRUB layouts virtbench does not drive', () => {
  it('/boot/grub2 (Fedora, RHEL): says so and what to do instead, not "cannot read /boot/grub/grub.cfg"', async () => {
    const err = await readGrub(fakeHost({ '/boot/grub2/grub.cfg': BLS_CFG })).then(() => undefined, (e: Error & { code?: string; hint?: string }) => e);
    expect(err?.code).toBe('GRUB_LAYOUT');
    expect(err?.message).toBe('root@fedora-lab:22 has /boot/grub2/grub.cfg, not /boot/grub/grub.cfg');
    expect(err?.hint).toMatch(/not supported yet: use a Debian or Ubuntu lab host, or boot each kernel yourself and run the suite once per kernel/);
  });

  it('a grub.cfg that only loads BootLoaderSpec entries (blscfg)', async () => {
    const err = await readGrub(fakeHost({ '/boot/grub/grub.cfg': BLS_CFG })).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('GRUB_LAYOUT');
    expect(err?.message).toMatch(/reads its kernels from BootLoaderSpec entries \(blscfg\)/);
  });

  it('no GRUB at all: the unreadable grub.cfg is named', async () => {
    const err = await readGrub(fakeHost({})).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('GRUB_UNREADABLE');
    expect(err?.message).toMatch(/cannot read \/boot\/grub\/grub\.cfg on root@fedora-lab:22: No such file/);
  });
});
