/**
 * SFTP transfers of files and whole directory trees (regular files and directories; modes kept).
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { RemoteError } from '../core/errors.js';

/** SFTP transfers of files and whole directory trees (regular files and directories; modes kept). */
export function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) =>
    client.sftp((err, sftp) => (err ? reject(new RemoteError('SFTP_FAILED', `could not open SFTP: ${err.message}`, { hint: 'the server needs an sftp subsystem (Subsystem sftp internal-sftp)', cause: err })) : resolve(sftp))),
  );
}

const p = <T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));

function wrap(where: string, what: string, e: unknown): RemoteError {
  const msg = (e as Error).message ?? String(e);
  const full = /No space|quota/i.test(msg);
  return new RemoteError(full ? 'SFTP_DISK_FULL' : 'SFTP_FAILED', `SFTP on ${where}: ${what}: ${msg}`, {
    hint: full ? 'free space on the target (df -h) and retry' : 'check the path and permissions on the target',
    cause: e,
  });
}

export async function uploadFile(sftp: SFTPWrapper, where: string, local: string, remote: string, mode?: number): Promise<void> {
  try {
    await p<void>((cb) => sftp.fastPut(local, remote, cb));
    const m = mode ?? (await stat(local)).mode & 0o7777;
    await p<void>((cb) => sftp.chmod(remote, m, cb));
  } catch (e) {
    throw wrap(where, `upload ${local} -> ${remote}`, e);
  }
}

export async function downloadFile(sftp: SFTPWrapper, where: string, remote: string, local: string): Promise<void> {
  try {
    await mkdir(dirname(local), { recursive: true });
    await p<void>((cb) => sftp.fastGet(remote, local, cb));
  } catch (e) {
    throw wrap(where, `download ${remote} -> ${local}`, e);
  }
}

async function remoteMkdir(sftp: SFTPWrapper, dir: string, mode: number): Promise<void> {
  try {
    await p<void>((cb) => sftp.mkdir(dir, { mode }, cb));
  } catch (e) {
    const st = await p<Stats>((cb) => sftp.stat(dir, cb)).catch(() => undefined);
    if (!st?.isDirectory()) throw e;
  }
}

/** Upload a local directory tree to `remote` (created if missing). Returns the number of files. */
export async function uploadDir(sftp: SFTPWrapper, where: string, local: string, remote: string): Promise<number> {
  let files = 0;
  const walk = async (l: string, r: string) => {
    const st = await stat(l);
    await remoteMkdir(sftp, r, st.mode & 0o7777).catch((e) => {
      throw wrap(where, `mkdir ${r}`, e);
    });
    for (const ent of await readdir(l, { withFileTypes: true })) {
      const lp = join(l, ent.name);
      const rp = posix.join(r, ent.name);
      if (ent.isDirectory()) await walk(lp, rp);
      else if (ent.isFile()) {
        await uploadFile(sftp, where, lp, rp);
        files++;
      }
    }
  };
  await walk(local, remote);
  return files;
}

/** Download a remote directory tree into `local`. Returns the number of files. */
export async function downloadDir(sftp: SFTPWrapper, where: string, remote: string, local: string): Promise<number> {
  let files = 0;
  const walk = async (r: string, l: string) => {
    await mkdir(l, { recursive: true });
    const list = await p<{ filename: string; attrs: Stats }[]>((cb) => sftp.readdir(r, cb)).catch((e) => {
      throw wrap(where, `list ${r}`, e);
    });
    for (const ent of list) {
      const rp = posix.join(r, ent.filename);
      const lp = join(l, ent.filename);
      if (ent.attrs.isDirectory()) await walk(rp, lp);
      else if (ent.attrs.isFile()) {
        await downloadFile(sftp, where, rp, lp);
        files++;
      }
    }
  };
  await walk(remote, local);
  return files;
}

export async function writeRemoteFile(sftp: SFTPWrapper, where: string, remote: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  // Write beside the target and rename over it, so a reader never sees half a file.
  const tmp = posix.join(posix.dirname(remote), `.${posix.basename(remote)}.vb${process.pid}.tmp`);
  try {
    await p<void>((cb) => sftp.writeFile(tmp, Buffer.from(data), { mode }, cb));
    await p<void>((cb) => sftp.chmod(tmp, mode, cb));
    await p<void>((cb) => sftp.ext_openssh_rename(tmp, remote, cb)).catch(async () => {
      await p<void>((cb) => sftp.unlink(remote, cb)).catch(() => {});
      await p<void>((cb) => sftp.rename(tmp, remote, cb));
    });
  } catch (e) {
    await p<void>((cb) => sftp.unlink(tmp, cb)).catch(() => {});
    throw wrap(where, `write ${remote}`, e);
  }
}

export async function readRemoteFile(sftp: SFTPWrapper, where: string, remote: string): Promise<Buffer> {
  try {
    return await p<Buffer>((cb) => sftp.readFile(remote, cb));
  } catch (e) {
    throw wrap(where, `read ${remote}`, e);
  }
}
