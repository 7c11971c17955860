/**
 * Streams opened on a remote host over its SSH connection: a unix socket there (QEMU's QMP
 * socket, OpenSSH's streamlocal forwarding) or a TCP port as the host sees it (a guest's sshd
 * forwarded to the host's loopback). Nothing is dialled from this machine.
 */

import type { Duplex } from 'node:stream';
import type { SshSession } from './session.js';

export async function openRemoteUnixSocket(session: SshSession, path: string): Promise<Duplex> {
  const { client } = await session.connection();
  return new Promise((resolve, reject) => {
    client.openssh_forwardOutStreamLocal(path, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

export async function openRemoteTcp(session: SshSession, host: string, port: number): Promise<Duplex> {
  const { client } = await session.connection();
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** True when host:port, as the remote host sees it, answers with an SSH banner within timeoutMs. */
export async function remoteSshBanner(session: SshSession, host: string, port: number, timeoutMs = 3_000): Promise<boolean> {
  const stream = await openRemoteTcp(session, host, port).catch(() => undefined);
  if (!stream) return false;
  return new Promise((resolve) => {
    let got = '';
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean) {
      clearTimeout(timer);
      stream!.removeAllListeners('data');
      stream!.destroy();
      resolve(ok);
    }
    stream.on('error', () => done(false));
    stream.on('close', () => done(false));
    stream.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.length >= 4) done(got.startsWith('SSH-'));
    });
  });
}
