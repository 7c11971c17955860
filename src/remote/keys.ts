import { execa } from 'execa';
import { mkdir, readFile, rm, chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PrerequisiteError } from '../core/errors.js';
import type { RunKey } from '../core/provider.js';

/**
 * The run's SSH identity: a fresh ed25519 key pair per run, written 0600 in `dir`
 * (`id_ed25519`, `id_ed25519.pub`). ssh-keygen writes the OpenSSH private key format,
 * which both ssh2 and OpenSSH's own tools read.
 */
export async function createRunKey(dir: string, comment = 'virtbench-run'): Promise<RunKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(dir, 'id_ed25519');
  await rm(privateKeyPath, { force: true });
  await rm(`${privateKeyPath}.pub`, { force: true });
  try {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', privateKeyPath], { stdin: 'ignore' });
  } catch (e) {
    throw new PrerequisiteError('SSH_KEYGEN_FAILED', `could not create the run's SSH key in ${dir}: ${(e as Error).message}`, {
      hint: 'install OpenSSH client tools (apt-get install openssh-client) and check that the directory is writable',
      cause: e,
    });
  }
  await chmod(privateKeyPath, 0o600);
  await chmod(`${privateKeyPath}.pub`, 0o600);
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim();
  return { privateKeyPath, publicKey };
}

/** Reuse an existing key pair (e.g. on --resume): the .pub file must sit beside the private key. */
export async function loadRunKey(privateKeyPath: string): Promise<RunKey> {
  const st = await stat(privateKeyPath);
  if ((st.mode & 0o077) !== 0) await chmod(privateKeyPath, 0o600);
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim();
  return { privateKeyPath, publicKey };
}
