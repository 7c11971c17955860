/** A guest as providers hand it to the runner: how to reach it by SSH and what it is. */
import type { Method } from './targets.js';

/** How to reach a guest over SSH. */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
  /** OpenSSH public host key line to pin ("ssh-ed25519 AAAA..."). */
  hostKey?: string;
  /** Accept an unknown key once and record it (the decision is recorded in the result). */
  trustOnFirstUse?: boolean;
  /** Reach the guest through this machine (OpenVZ through its host). */
  jump?: SshEndpoint;
}

export interface GuestFacts {
  kernel?: string;
  cpusVisible?: number;
  /** CPUs the guest can really use (cpuset/quota in a container); the UnixBench copy count. */
  cpusUsable?: number;
  memoryMiB?: number;
  /** Method-specific: LXC config text, QEMU command line, OpenVZ container config, versions... */
  [key: string]: unknown;
}

export interface Guest {
  name: string;
  method: Method;
  ssh: SshEndpoint;
  facts: GuestFacts;
  /** True when a KVM target ran under TCG emulation: never presented as a KVM number. */
  emulated: boolean;
  /** Provider-owned, JSON-serialisable data needed to destroy it, also after a crash. */
  handle: Record<string, unknown>;
}
