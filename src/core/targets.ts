/**
 * What a suite asks for, per target. The suite parser (src/suite) validates YAML into these
 * shapes; each provider consumes its own. Sizes are in MiB, CPU counts are whole CPUs.
 */
export type Method = 'host' | 'lxc' | 'kvm' | 'openvz';
export const METHODS: readonly Method[] = ['host', 'lxc', 'kvm', 'openvz'];

/** How to reach a machine over SSH (a remote host, or the bare-metal target given by address). */
export interface SshTargetAddress {
  address: string;
  port: number;
  user: string;
  /** Private key file; absent means the run's own key (installed beforehand by the user). */
  privateKeyPath?: string;
  /** OpenSSH public host key line ("ssh-ed25519 AAAA..."); absent = refuse unless trustOnFirstUse. */
  hostKey?: string;
  trustOnFirstUse?: boolean;
  /** The ~/.ssh/config alias it was resolved from, if any (for messages and the record). */
  alias?: string;
}

/** Resource limits. Absent fields mean "no limit", as in 2011. */
export interface Limits {
  /** CPUs: vCPUs for KVM, a cpuset of this many CPUs for containers. */
  cpus?: number;
  /** Explicit cpuset, e.g. "0-1" (containers) or host CPUs to pin vCPU threads to (KVM). */
  cpuset?: string;
  /** CPU bandwidth in CPUs (1.5 = 150% of one CPU); containers only. */
  cpuQuota?: number;
  memoryMiB?: number;
  pids?: number;
  diskGiB?: number;
}

export interface DebianImageSpec {
  release: string; // e.g. "bookworm"
  arch: 'amd64' | 'i386';
  mirror: string; // e.g. "http://deb.debian.org/debian"
}

interface TargetBase {
  /** Unique within the suite; names results and guests. [a-z0-9][a-z0-9-]{0,30} */
  name: string;
  method: Method;
  /** Name of the suite host this target lives on ("local" by default). */
  host: string;
  limits: Limits;
}

/** The bare-metal target (suite method `host`): the machine itself, no guest layer. */
export interface BareMetalTarget extends TargetBase {
  method: 'host';
  /** Absent: this machine, through a private sshd the harness starts on 127.0.0.1. */
  ssh?: SshTargetAddress;
}

export interface LxcTarget extends TargetBase {
  method: 'lxc';
  image: DebianImageSpec;
  /** Privileged as in 2011 (default); unprivileged uses an id map. */
  privileged: boolean;
  network: {
    bridge: string; // e.g. "vbbr0"
    subnet: string; // CIDR, e.g. "10.213.0.0/24"; the bridge takes .1
    address?: string; // static address for this container; chosen from the subnet when absent
  };
  /** How long sshd in the container may take to answer after lxc-start. */
  sshTimeoutSeconds: number;
}

export interface KvmTarget extends TargetBase {
  method: 'kvm';
  /** auto: KVM if it really boots a guest, else TCG, loudly. kvm: fail instead. tcg: emulate. */
  accel: 'auto' | 'kvm' | 'tcg';
  cpus: number;
  memoryMiB: number;
  cpuModel: string; // "host" as in 2011 (TCG uses "max")
  disk: { cache: 'none' | 'writeback' | 'writethrough' | 'directsync' | 'unsafe'; aio: 'native' | 'threads' | 'io_uring'; sizeGiB: number };
  net: { mode: 'user' } | { mode: 'tap'; bridge: string; subnet: string; address?: string };
  hugepages: boolean;
  /** Guest kernel: the image's own, or given by path (how a kernel upgrade is tested in the guest). */
  kernel?: { path: string; initrd?: string; append?: string };
  /** A Debian kernel package installed into the image and booted instead of its own kernel (kernel.package in the suite). */
  kernelPackage?: { name: string; append?: string };
  image: ({ kind: 'debootstrap' } & DebianImageSpec) | { kind: 'cloud'; path: string };
  /** Options of the command line being reproduced that today's QEMU lacks (providers/kvm/legacy-options.ts): named in the plan and the report as dropped. */
  droppedOptions?: string[];
}

export interface OpenvzTarget extends TargetBase {
  method: 'openvz';
  tool: 'auto' | 'vzctl' | 'prlctl';
  ctid?: number;
  ostemplate: string;
  ipAddress: string;
  netMode: 'venet' | 'veth';
  /** direct: SSH to the container's address; jump: through the OpenVZ host. */
  reach: 'direct' | 'jump';
}

export type TargetSpec = BareMetalTarget | LxcTarget | KvmTarget | OpenvzTarget;

/** UnixBench options from the suite. Absent fields mean `./Run` defaults, as in 2011. */
export interface UnixBenchOptions {
  /** -i N */
  iterations?: number;
  /** -c N, repeatable. Absent: 1 and the CPUs the guest really has (not /proc's count in a container). */
  copies?: number[];
  /** Test names (dhry2reg, whetstone-double, ...) or groups (index, system, ...). Absent: the index set. */
  tests?: string[];
  /** LANG/LC_ALL for the run; "C" by default so every guest prints alike. */
  locale: string;
  /** The UnixBench version to run: "5.1.3" (default, the seed's) or "6.0.0" (no 16-copies limit). */
  version?: string;
  /** Accept a source that is not the version asked for. */
  allowOtherVersion: boolean;
}
