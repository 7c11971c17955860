/**
 * The files a KVM disk image adds to the shared debootstrap rootfs. They make a guest take its
 * identity from a seed disk at boot (see seed-disk.ts) and report what it sees from inside on a
 * second serial port, so the provider learns the guest's facts without an SSH session.
 */
import { posix } from 'node:path';
import type { CommandHost } from '../../core/host.js';
import type { ProgressSink } from '../../core/progress.js';

/** Label of the seed file system the harness attaches as a second, read-only virtio disk. */
export const SEED_LABEL = 'vbseed';

/** Marker lines around the facts report the guest writes to /dev/ttyS1. */
export const FACTS_BEGIN = 'VIRTBENCH-FACTS-BEGIN';
export const FACTS_END = 'VIRTBENCH-FACTS-END';

const SEED_SCRIPT = `#!/bin/sh
# virtbench: copy this guest's identity from the seed disk the harness attached (label ${SEED_LABEL}).
set -u
dev=/dev/disk/by-label/${SEED_LABEL}
i=0
while [ ! -b "$dev" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -b "$dev" ]; then
  mkdir -p /run/vbseed
  if mount -o ro,noload "$dev" /run/vbseed; then
    s=/run/vbseed
    if [ -f "$s/ssh_host_ed25519_key" ]; then
      rm -f /etc/ssh/ssh_host_*
      install -m 600 "$s/ssh_host_ed25519_key" /etc/ssh/ssh_host_ed25519_key
      install -m 644 "$s/ssh_host_ed25519_key.pub" /etc/ssh/ssh_host_ed25519_key.pub
    fi
    if [ -f "$s/authorized_keys" ]; then
      install -d -m 700 /root/.ssh
      install -m 600 "$s/authorized_keys" /root/.ssh/authorized_keys
    fi
    if [ -f "$s/hostname" ]; then
      cp "$s/hostname" /etc/hostname
      hostname -F /etc/hostname
      printf '127.0.0.1 localhost\\n127.0.1.1 %s\\n' "$(cat /etc/hostname)" > /etc/hosts
    fi
    [ -f "$s/network" ] && install -m 644 "$s/network" /etc/systemd/network/10-virtbench.network
    [ -f "$s/resolv.conf" ] && install -m 644 "$s/resolv.conf" /etc/resolv.conf
    grow=0
    [ -f "$s/grow-root" ] && grow=1
    umount /run/vbseed
    [ "$grow" = 1 ] && resize2fs /dev/vda >/dev/null 2>&1
  fi
fi
[ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
exit 0
`;

const SEED_UNIT = `[Unit]
Description=virtbench: guest identity from the seed disk
DefaultDependencies=no
After=local-fs.target systemd-udev-trigger.service
Before=ssh.service systemd-networkd.service network-pre.target virtbench-ssh-hostkeys.service
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/virtbench-seed

[Install]
WantedBy=sysinit.target
`;

const FACTS_SCRIPT = `#!/bin/sh
# virtbench: report what this guest sees from inside on the second serial port (the harness reads it).
out=/dev/ttyS1
[ -c "$out" ] || exit 0
stty -F "$out" raw -echo 2>/dev/null
{
  echo ${FACTS_BEGIN}
  echo "kernel=$(uname -r)"
  echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "cpus=$(nproc)"
  echo "mem_kib=$(sed -n 's/^MemTotal:[[:space:]]*\\([0-9]*\\).*/\\1/p' /proc/meminfo)"
  echo "virt=$(systemd-detect-virt 2>/dev/null)"
  echo "virtio_drivers=$(ls /sys/bus/virtio/drivers 2>/dev/null | tr '\\n' ' ')"
  echo "virtio_modules=$(lsmod 2>/dev/null | awk 'NR > 1 && $1 ~ /virtio/ { print $1 }' | tr '\\n' ' ')"
  echo "block_driver=$(basename "$(readlink -f /sys/block/vda/device/driver)" 2>/dev/null)"
  echo "net_driver=$(for n in /sys/class/net/*; do [ -e "$n/device/driver" ] && basename "$(readlink -f "$n/device/driver")"; done | head -n 1)"
  echo "cmdline=$(cat /proc/cmdline)"
  echo ${FACTS_END}
} > "$out"
exit 0
`;

const FACTS_UNIT = `[Unit]
Description=virtbench: report guest facts on ttyS1
After=ssh.service systemd-modules-load.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/virtbench-facts

[Install]
WantedBy=multi-user.target
`;

/** When no seed gives a network: DHCP (QEMU user-mode networking answers on 10.0.2.0/24). */
const DHCP_NETWORK = `[Match]
Name=en* eth*

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no
`;

const SSHD_CONFIG = `# virtbench: one host key, given per guest through the seed disk; keys only.
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
`;

export interface ImageFile {
  path: string; // inside the guest
  content: string;
  mode: number;
}

export interface ImageLink {
  path: string;
  target: string;
}

/**
 * Everything the image adds: files, enablement links, and timers masked so that nothing
 * periodic (apt, man-db, fstrim) disturbs a benchmark.
 */
export function diskImageFiles(): { files: ImageFile[]; links: ImageLink[] } {
  const files: ImageFile[] = [
    { path: '/etc/fstab', content: '/dev/vda / ext4 errors=remount-ro 0 1\n', mode: 0o644 },
    { path: '/etc/hostname', content: 'virtbench\n', mode: 0o644 },
    { path: '/usr/local/sbin/virtbench-seed', content: SEED_SCRIPT, mode: 0o755 },
    { path: '/etc/systemd/system/virtbench-seed.service', content: SEED_UNIT, mode: 0o644 },
    { path: '/usr/local/sbin/virtbench-facts', content: FACTS_SCRIPT, mode: 0o755 },
    { path: '/etc/systemd/system/virtbench-facts.service', content: FACTS_UNIT, mode: 0o644 },
    { path: '/etc/systemd/network/90-virtbench-dhcp.network', content: DHCP_NETWORK, mode: 0o644 },
    { path: '/etc/ssh/sshd_config.d/virtbench.conf', content: SSHD_CONFIG, mode: 0o644 },
  ];
  const links: ImageLink[] = [
    { path: '/etc/systemd/system/sysinit.target.wants/virtbench-seed.service', target: '/etc/systemd/system/virtbench-seed.service' },
    { path: '/etc/systemd/system/multi-user.target.wants/virtbench-facts.service', target: '/etc/systemd/system/virtbench-facts.service' },
    { path: '/etc/systemd/system/multi-user.target.wants/systemd-networkd.service', target: '/lib/systemd/system/systemd-networkd.service' },
    { path: '/etc/systemd/system/sockets.target.wants/systemd-networkd.socket', target: '/lib/systemd/system/systemd-networkd.socket' },
  ];
  for (const unit of ['apt-daily.timer', 'apt-daily-upgrade.timer', 'man-db.timer', 'e2scrub_all.timer', 'fstrim.timer', 'systemd-networkd-wait-online.service']) {
    links.push({ path: `/etc/systemd/system/${unit}`, target: '/dev/null' });
  }
  return { files, links };
}

/** The report the guest wrote to ttyS1, as key/value pairs; undefined until the end marker arrived. */
export function parseFactsReport(text: string): Record<string, string> | undefined {
  const clean = text.replace(/\r/g, '');
  const begin = clean.lastIndexOf(FACTS_BEGIN);
  if (begin < 0) return undefined;
  const end = clean.indexOf(FACTS_END, begin);
  if (end < 0) return undefined;
  const out: Record<string, string> = {};
  for (const line of clean.slice(begin + FACTS_BEGIN.length, end).split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/**
 * Stage an image's root: a full copy of the cached rootfs, then the image's own files and links
 * (the guest side of the seed-disk handshake). Shared by the KVM disk image and the GRUB boot disk.
 */
export async function stageImageRoot(host: CommandHost, rootfs: { key: string; path: string }, stage: string, progress: ProgressSink, subject: string, signal?: AbortSignal): Promise<void> {
  progress({ subject, step: 'image', message: `staging rootfs ${rootfs.key}` });
  await host.run(['cp', '-a', '--reflink=auto', `${rootfs.path}/.`, `${stage}/`], { signal });
  const { files, links } = diskImageFiles();
  for (const f of files) {
    await host.run(['mkdir', '-p', posix.join(stage, posix.dirname(f.path))]);
    await host.writeFile(posix.join(stage, f.path), f.content, f.mode);
  }
  for (const l of links) {
    await host.run(['mkdir', '-p', posix.join(stage, posix.dirname(l.path))]);
    await host.run(['ln', '-sfn', l.target, posix.join(stage, l.path)]);
  }
}
