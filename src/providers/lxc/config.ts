/**
 * The container's LXC config, written by the harness (no lxc-create template): Debian's common
 * include for devices, capabilities and mounts, one veth on the harness's bridge with a static
 * address, and the limits as cgroup keys.
 */
import { macFor } from '../mac.js';

export interface IdMap {
  /** First host uid/gid of the container's 0..count-1. */
  hostBase: number;
  count: number;
}

export interface LxcConfigInput {
  name: string;
  rootfs: string;
  arch: 'amd64' | 'i386';
  bridge: string;
  veth: string;
  address: string;
  prefix: number;
  gateway: string;
  /** Absent: privileged, as in 2011. */
  idmap?: IdMap;
  limitLines: string[];
  logFile: string;
}

export const DEFAULT_IDMAP: IdMap = { hostBase: 100000, count: 65536 };

export function renderLxcConfig(c: LxcConfigInput): string {
  const lines = [
    '# written by virtbench; the marker file next to this config says which run owns it',
    `lxc.uts.name = ${c.name}`,
    `lxc.arch = ${c.arch === 'i386' ? 'linux32' : 'linux64'}`,
    `lxc.rootfs.path = dir:${c.rootfs}`,
    c.idmap ? 'lxc.include = /usr/share/lxc/config/debian.userns.conf' : '',
    'lxc.include = /usr/share/lxc/config/debian.common.conf',
    // debian.common.conf pulls in common.conf.d/00-lxcfs.conf, whose hook only acts when lxcfs runs.
    c.idmap ? `lxc.idmap = u 0 ${c.idmap.hostBase} ${c.idmap.count}` : '',
    c.idmap ? `lxc.idmap = g 0 ${c.idmap.hostBase} ${c.idmap.count}` : '',
    'lxc.apparmor.profile = unconfined',
    'lxc.autodev = 1',
    'lxc.net.0.type = veth',
    `lxc.net.0.link = ${c.bridge}`,
    'lxc.net.0.flags = up',
    'lxc.net.0.name = eth0',
    `lxc.net.0.veth.pair = ${c.veth}`,
    `lxc.net.0.hwaddr = ${macFor(c.name)}`,
    `lxc.net.0.ipv4.address = ${c.address}/${c.prefix}`,
    `lxc.net.0.ipv4.gateway = ${c.gateway}`,
    ...c.limitLines,
    `lxc.log.file = ${c.logFile}`,
    'lxc.log.level = INFO',
  ];
  return lines.filter((l) => l !== '').join('\n') + '\n';
}
