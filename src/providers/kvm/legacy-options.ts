/**
 * Options of a 2011 KVM command line that today's QEMU no longer has. A suite that reproduces
 * an old command line names them (droppedOptions); the plan and the report then say that they
 * were dropped and why, instead of leaving them out silently. Each reason was checked against
 * QEMU 7.2 (Debian 12), which refuses the option with the message quoted.
 */
export const LEGACY_QEMU_OPTIONS = {
  '-clock hpet': 'the -clock option no longer exists ("-clock: invalid option"); the guest kernel picks its clocksource itself',
  'boot=on': 'a qemu-kvm -drive option that QEMU refuses ("does not support the option \'boot\'"); the guest is booted with -kernel from the first virtio disk',
  'vlan=': 'QEMU\'s -net vlan= hubs are gone ("Invalid parameter \'vlan\'"); -netdev with -device virtio-net-pci replaces them',
} as const;

export type LegacyQemuOption = keyof typeof LEGACY_QEMU_OPTIONS;

/** "-clock hpet (dropped: ...)" lines for the plan and the report. */
export function droppedOptionLines(options: readonly string[] | undefined): string[] {
  return (options ?? []).map((o) => `${o}: dropped, ${LEGACY_QEMU_OPTIONS[o as LegacyQemuOption] ?? 'not an option of today\'s QEMU'}`);
}
