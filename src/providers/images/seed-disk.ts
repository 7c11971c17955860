/**
 * A guest's identity on a tiny ext4 disk (label vbseed) made with `mkfs.ext4 -d`, so nothing is
 * mounted on the host and the shared qcow2 base is never written. The image's virtbench-seed
 * unit copies these files into place before sshd and networkd start:
 *   ssh_host_ed25519_key(.pub)  the guest's host key, generated here so the harness can pin it
 *   authorized_keys             the run's public key, for root
 *   hostname, network, resolv.conf, grow-root (resize the root fs to the overlay's size)
 * Chosen over cloud-init/NoCloud because the image has no cloud-init and the host no mkfs.vfat.
 */
import { posix } from 'node:path';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost, PlannedCommand } from '../../core/host.js';
import { SEED_LABEL } from './disk-image-files.js';

export interface SeedContent {
  hostname: string;
  authorizedKey: string;
  /** systemd-networkd .network text (static address for user-mode or tap networking). */
  network: string;
  resolvConf?: string;
  growRoot: boolean;
}

export interface SeedDisk {
  path: string;
  /** OpenSSH public host key line ("ssh-ed25519 AAAA...") to pin. */
  hostKey: string;
}

const HOSTNAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The commands makeSeedDisk runs, for --dry-run. */
export function planSeedDisk(host: string, workDir: string): PlannedCommand[] {
  const dir = posix.join(workDir, 'seed');
  const img = posix.join(workDir, 'seed.img');
  return [
    { host, argv: ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'root@<guest>', '-f', posix.join(dir, 'ssh_host_ed25519_key')], purpose: "generate the guest's SSH host key (pinned by the harness)" },
    { host, argv: ['truncate', '-s', '8M', img], purpose: 'seed disk file' },
    { host, argv: ['mkfs.ext4', '-q', '-F', '-L', SEED_LABEL, '-d', dir, img], purpose: 'seed disk with host key, authorized_keys, hostname, network (no mount)' },
  ];
}

export async function makeSeedDisk(host: CommandHost, workDir: string, c: SeedContent): Promise<SeedDisk> {
  if (!HOSTNAME_RE.test(c.hostname)) {
    throw new ProviderError('GUEST_BAD_NAME', `invalid guest hostname ${JSON.stringify(c.hostname)}`, { hint: 'use [a-z0-9-], at most 63 characters' });
  }
  const dir = posix.join(workDir, 'seed');
  const img = posix.join(workDir, 'seed.img');
  await host.run(['rm', '-rf', dir, img]);
  await host.run(['mkdir', '-p', '-m', '700', dir]);
  const key = posix.join(dir, 'ssh_host_ed25519_key');
  await host.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${c.hostname}`, '-f', key]);
  const hostKey = (await host.readFile(`${key}.pub`)).toString('utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  await host.writeFile(posix.join(dir, 'authorized_keys'), `${c.authorizedKey.trim()}\n`, 0o600);
  await host.writeFile(posix.join(dir, 'hostname'), `${c.hostname}\n`);
  await host.writeFile(posix.join(dir, 'network'), c.network);
  if (c.resolvConf) await host.writeFile(posix.join(dir, 'resolv.conf'), c.resolvConf);
  if (c.growRoot) await host.writeFile(posix.join(dir, 'grow-root'), '1\n');
  // The image holds the guest's private host key: 0600 from the start (mkfs.ext4 -F keeps the mode).
  await host.writeFile(img, '', 0o600);
  await host.run(['chmod', '600', img]);
  await host.run(['truncate', '-s', '8M', img]);
  await host.run(['mkfs.ext4', '-q', '-F', '-L', SEED_LABEL, '-d', dir, img]);
  // The private key now lives only inside seed.img, which is removed with the guest.
  await host.run(['rm', '-rf', dir]);
  return { path: img, hostKey };
}

/** A systemd-networkd config with a static address (no DHCP needed, also on a harness bridge). */
export function staticNetwork(address: string, prefix: number, gateway: string, dns?: string): string {
  return ['[Match]', 'Name=en* eth*', '', '[Network]', `Address=${address}/${prefix}`, `Gateway=${gateway}`, ...(dns ? [`DNS=${dns}`] : []), 'LinkLocalAddressing=no', 'IPv6AcceptRA=no', ''].join('\n');
}
