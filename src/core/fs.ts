/** Atomic file writes (temporary file, fsync, rename) and file system errors that name the path. */
import { mkdir, rename, writeFile, open, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from './errors.js';

/**
 * Write a file so that a reader sees either the old content or the new, never half:
 * write a temporary file in the same directory, fsync it, rename it over the target.
 */
export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true }).catch((e) => Promise.reject(fileSystemError(e, dirname(path))));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fileSystemError(e, path);
  }
}

const WHY: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'a folder is in the way',
  ENOTDIR: 'a file is in the way where a folder should be',
  EEXIST: 'something is already there',
  ENAMETOOLONG: 'the name is too long',
};

/** A failed write as an error that says what and where (not "internal error"); other errors pass through. */
export function fileSystemError(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !WHY[code]) return e;
  return new InputError('FILE_WRITE_FAILED', `cannot write ${path}: ${code} (${WHY[code]})`, {
    hint: code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space and run again (a resumed run keeps what was written)' : 'check the path and its permissions, or choose another folder',
    location: { file: path },
    cause: e,
  });
}

export async function atomicWriteJson(path: string, value: unknown): Promise<void> {
  await atomicWriteFile(path, JSON.stringify(value, null, 2) + '\n');
}

export async function ensureDir(path: string): Promise<string> {
  await mkdir(path, { recursive: true }).catch((e) => Promise.reject(fileSystemError(e, path)));
  return path;
}

export { writeFile };
