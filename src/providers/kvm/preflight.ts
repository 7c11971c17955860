/**
 * Checks before anything is started, each failing with an error that names the problem:
 * memory, files, hugepages, the SSH port, socket path length.
 */
import { access, constants, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { ProviderError } from '../../core/errors.js';

/** QEMU's own overhead on top of guest RAM, and what the host keeps for itself. */
const QEMU_OVERHEAD_MIB = 128;

export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+):\s+(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

export async function checkMemory(name: string, memoryMiB: number, hugepages: boolean): Promise<void> {
  const info = parseMeminfo(await readFile('/proc/meminfo', 'utf8'));
  if (hugepages) return checkHugepages(name, memoryMiB, info);
  const availableMiB = Math.floor((info.MemAvailable ?? 0) / 1024);
  if (availableMiB < memoryMiB + QEMU_OVERHEAD_MIB) {
    throw new ProviderError('KVM_NO_MEMORY', `target '${name}': the guest needs ${memoryMiB} MiB (+${QEMU_OVERHEAD_MIB} MiB for QEMU) but only ${availableMiB} MiB is available on this host (MemAvailable)`, {
      hint: 'lower memoryMiB, or stop other guests first',
      location: { field: 'memoryMiB' },
    });
  }
}

function checkHugepages(name: string, memoryMiB: number, info: Record<string, number>): void {
  const pageKiB = info.Hugepagesize ?? 2048;
  const freeMiB = Math.floor(((info.HugePages_Free ?? 0) * pageKiB) / 1024);
  if (freeMiB < memoryMiB) {
    throw new ProviderError('KVM_NO_HUGEPAGES', `target '${name}': hugepages asked for ${memoryMiB} MiB but only ${freeMiB} MiB of hugepages are free (HugePages_Free=${info.HugePages_Free ?? 0} x ${pageKiB} KiB)`, {
      hint: `reserve them first: echo ${Math.ceil((memoryMiB * 1024) / pageKiB)} > /proc/sys/vm/nr_hugepages, or set hugepages: false`,
      location: { field: 'hugepages' },
    });
  }
}

/** The hugetlbfs mount to back guest memory with. */
export async function hugetlbfsMount(): Promise<string> {
  const mounts = await readFile('/proc/mounts', 'utf8');
  const m = mounts.split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'hugetlbfs');
  if (!m?.[1]) throw new ProviderError('KVM_NO_HUGETLBFS', 'hugepages asked for but no hugetlbfs is mounted', { hint: 'mount -t hugetlbfs none /dev/hugepages', location: { field: 'hugepages' } });
  return m[1];
}

export async function checkReadableFile(path: string, field: string, what: string): Promise<void> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    await access(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ProviderError('KVM_MISSING_FILE', `${what} ${path} is not readable (${code === 'ENOENT' ? 'no such file' : code})`, {
      hint: 'give the path of an existing file, e.g. /boot/vmlinuz-<version> and its initrd',
      location: { field },
    });
  }
}

/** A unix socket path must fit sun_path (108 bytes with the NUL). */
export function checkSocketPath(path: string): void {
  if (Buffer.byteLength(path) > 107) {
    throw new ProviderError('KVM_SOCKET_PATH', `the QMP socket path is ${Buffer.byteLength(path)} bytes, longer than a unix socket allows (107): ${path}`, { hint: 'use a shorter work directory' });
  }
}


/** Fail early, by name, when a requested port is taken. */
export function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(new ProviderError('KVM_PORT_IN_USE', `127.0.0.1:${port} is already in use (${e.code}); the guest's SSH port cannot be forwarded there`, { hint: 'choose another sshPort or omit it to let the provider pick a free one' })),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}
