/** Waiting for a container's sshd: its banner read through the host, while the container still runs. */
import { connect } from 'node:net';
import { ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';

/** One attempt: connect and read the "SSH-2.0-..." banner (sshd is up, not merely the port). */
function bannerOnce(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) done(buf.startsWith('SSH-'));
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}

/** The same check run on a remote host, where the container's address is only reachable from there. */
async function bannerOnHost(host: CommandHost, address: string, port: number): Promise<boolean> {
  const r = await host.run(['timeout', '3', 'bash', '-c', 'exec 3<>"/dev/tcp/$1/$2" && head -c 4 <&3', 'bash', address, String(port)], { allowFailure: true });
  return r.stdout.startsWith('SSH-');
}

/**
 * Wait until sshd answers on address:port. Gives up early when the guest stops (stillRunning
 * returns false): a dead container never comes up, so do not wait the full timeout for it.
 */
export async function waitForSsh(
  host: CommandHost,
  address: string,
  port: number,
  o: { timeoutMs: number; signal?: AbortSignal; stillRunning: () => Promise<boolean>; what: string },
): Promise<number> {
  const start = Date.now();
  let delay = 50;
  for (;;) {
    o.signal?.throwIfAborted();
    const up = host.isLocal ? await bannerOnce(address, port, 1500) : await bannerOnHost(host, address, port);
    if (up) return (Date.now() - start) / 1000;
    if (!(await o.stillRunning())) {
      throw new ProviderError('LXC_GUEST_STOPPED', `${o.what} stopped before sshd answered on ${address}:${port}`, { hint: 'read the container log named above; the rootfs may lack openssh-server or systemd' });
    }
    if (Date.now() - start > o.timeoutMs) {
      throw new ProviderError('LXC_SSH_TIMEOUT', `${o.what}: no SSH on ${address}:${port} after ${(o.timeoutMs / 1000).toFixed(0)} s`, { hint: 'check the bridge address and that ssh.service is enabled in the rootfs' });
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
}
