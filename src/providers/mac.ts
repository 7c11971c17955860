/**
 * One stable MAC address per guest name, for every method that gives a guest a NIC: repeated runs
 * look alike to the guest, and the address is locally administered (first byte 02), so it never
 * claims a vendor's range.
 */
import { createHash } from 'node:crypto';

export function macFor(name: string): string {
  const h = createHash('sha256').update(`virtbench:${name}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
