import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRunKey } from '../../src/remote/keys.js';
import { shellCommand } from '../../src/remote/quote.js';
import { HOSTILE, startTestSshd, type TestSshd } from '../support/sshd.js';

// Hostile arguments through a real OpenSSH sshd, checked by the argv the remote program received.
describe('shellCommand through a real sshd (OpenSSH client)', () => {
  let dir: string;
  let sshd: TestSshd;
  let keyPath: string;
  beforeAll(async () => {
    dir = await mkdtemp('/tmp/vbt3-quote-');
    const key = await createRunKey(`${dir}/key`);
    keyPath = key.privateKeyPath;
    sshd = await startTestSshd({ publicKey: key.publicKey, tmpPrefix: '/tmp/vbt3-sshd-' });
  });
  afterAll(async () => {
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const ssh = (remote: string) =>
    execa(
      'ssh',
      ['-F', '/dev/null', '-i', keyPath, '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${sshd.user}@127.0.0.1`, remote],
      { stripFinalNewline: false, stdin: 'ignore' },
    );

  it('delivers each hostile value as exactly one argument to an exec()ed program', async () => {
    const r = await ssh(shellCommand(['/usr/bin/printf', '%s\\0', ...HOSTILE]));
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
    expect(existsSync('/tmp/vbt3-pwned')).toBe(false);
  });

  it('keeps hostile values inert inside a nested sh -c script argument', async () => {
    const script = 'for a in "$@"; do printf "%s\\0" "$a"; done';
    const r = await ssh(shellCommand(['sh', '-c', script, 'argv0', ...HOSTILE]));
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
    expect(existsSync('/tmp/vbt3-pwned')).toBe(false);
  });
});
