/**
 * The run's SSH identity: a fresh ed25519 key pair per run, written 0600 in `dir` (0700)
 * (`id_ed25519`, `id_ed25519.pub`). ssh-keygen writes the OpenSSH private key format,
 * which both ssh2 and OpenSSH's own tools read, and creates it 0600.
 */
import { execa } from 'execa';
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError, PrerequisiteError } from '../core/errors.js';
import type { RunKey } from '../core/provider.js';

export async function createRunKey(dir: string, comment = 'virtbench-run'): Promise<RunKey> {
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  await chmod(dirname(dir), 0o700);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
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
  await chmod(`${privateKeyPath}.pub`, 0o600);
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim();
  return { privateKeyPath, publicKey };
}

/**
 * Reuse an existing key pair (on --resume): the .pub file must sit beside the private key. The
 * caller has checked that the path lies in the run's own key folder; a key readable by others is
 * refused, not chmod-ed.
 */
export async function loadRunKey(privateKeyPath: string): Promise<RunKey> {
  const st = await stat(privateKeyPath);
  if ((st.mode & 0o077) !== 0) {
    throw new InputError('RUN_KEY_OPEN', `the run's private key ${privateKeyPath} is readable by others (mode ${(st.mode & 0o777).toString(8)})`, {
      hint: `chmod 600 ${privateKeyPath} if it is yours, or start a new run`,
      location: { file: privateKeyPath },
    });
  }
  const publicKey = (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim();
  return { privateKeyPath, publicKey };
}

/** Remove a run's key folder (its guests are gone: nothing will ever accept the key again). */
export async function removeRunKey(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
