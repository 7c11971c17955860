/**
 * Whether a host's kernel runs 32-bit x86 programs (an i386 userland needs it): a real exec of a
 * 93-byte i386 ELF that only calls exit(0). Kernels without IA32 emulation (CONFIG_IA32_EMULATION
 * off, ia32_emulation=0, or a PVM guest) refuse it with "Exec format error".
 */
import { PrerequisiteError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';

function exitZeroI386Elf(): Buffer {
  const code = Buffer.from([0xb8, 0x01, 0x00, 0x00, 0x00, 0x31, 0xdb, 0xcd, 0x80]); // mov eax,1; xor ebx,ebx; int 0x80
  const base = 0x08048000;
  const eh = Buffer.alloc(52);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]).copy(eh); // ELF, 32-bit, little-endian, version 1
  eh.writeUInt16LE(2, 16); // ET_EXEC
  eh.writeUInt16LE(3, 18); // EM_386
  eh.writeUInt32LE(1, 20);
  eh.writeUInt32LE(base + 52 + 32, 24); // entry: right after the headers
  eh.writeUInt32LE(52, 28); // program headers follow the ELF header
  eh.writeUInt16LE(52, 40);
  eh.writeUInt16LE(32, 42);
  eh.writeUInt16LE(1, 44);
  const ph = Buffer.alloc(32);
  const size = 52 + 32 + code.length;
  for (const [i, v] of [1, 0, base, base, size, size, 5, 0x1000].entries()) ph.writeUInt32LE(v, i * 4); // PT_LOAD, r-x
  return Buffer.concat([eh, ph, code]);
}

export interface I386Support {
  ok: boolean;
  detail: string;
}

export async function probeI386(host: CommandHost): Promise<I386Support> {
  const dir = (await host.run(['mktemp', '-d', '/tmp/virtbench-i386-probe-XXXXXX'])).stdout.trim();
  try {
    const file = `${dir}/exit0`;
    await host.writeFile(file, exitZeroI386Elf(), 0o755);
    // Where exec refuses the format, execvp hands the file to /bin/sh, which fails on it: any exit but 0 is a no.
    const r = await host.run([file], { allowFailure: true }).catch(() => ({ exitCode: -1 }));
    return r.exitCode === 0
      ? { ok: true, detail: 'the kernel runs 32-bit x86 programs' }
      : { ok: false, detail: `the kernel does not run 32-bit x86 programs (a 32-bit test program could not run: exit ${r.exitCode})` };
  } finally {
    await host.run(['rm', '-rf', dir], { allowFailure: true });
  }
}

export const I386_FIX = 'an i386 userland needs a kernel with IA32 emulation (CONFIG_IA32_EMULATION, not turned off with ia32_emulation=0; PVM guests have none): use such a host, or arch: amd64';

export async function requireI386(host: CommandHost): Promise<void> {
  const s = await probeI386(host);
  if (!s.ok) throw new PrerequisiteError('NO_I386', `${host.name}: ${s.detail}`, { hint: I386_FIX, location: { field: 'image.arch' } });
}
