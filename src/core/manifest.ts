/** The environment a result came from, as collected inside the guest (and, separately, on its host). */
export interface EnvironmentManifest {
  collectedAt: string;
  hostname: string;
  os: string;
  kernelRelease: string;
  kernelVersion: string;
  kernelCmdline?: string;
  arch: string;
  cpuModel: string;
  /** /proc/cpuinfo's microcode revision, where the kernel shows it. */
  microcode?: string;
  cpuFlags: string[];
  cpusOnline: number;
  memoryMiB: number;
  governor?: string;
  transparentHugepages?: string;
  /** /sys/devices/system/cpu/vulnerabilities/*: name -> state. */
  mitigations?: Record<string, string>;
  /** systemd-detect-virt or equivalent: "none", "lxc", "kvm", "qemu", "openvz". */
  virtualization?: string;
  compiler?: string;
  cflags?: string;
  unixbench?: { version: string; sourceSha256: string; source: string };
  extra?: Record<string, string>;
}
