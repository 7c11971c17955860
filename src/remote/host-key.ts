/**
 * Host-key pinning. A pinned key (SshEndpoint.hostKey, an OpenSSH public key line) must match
 * the key the server presents, compared as key blobs. An unknown key is refused unless the
 * caller trusts first use; either way the decision is returned so the result can record it.
 */
import { createHash } from 'node:crypto';
import { RemoteError } from '../core/errors.js';

export interface HostKeyDecision {
  /** "user@host:port" (or host:port) the decision is about. */
  endpoint: string;
  /** The key the server presented, as an OpenSSH line ("ssh-ed25519 AAAA..."). */
  presented: string;
  fingerprint: string;
  decision: 'pinned-match' | 'trusted-first-use';
  at: string;
}

/** Decode "type base64 [comment]" into the key blob; throws on anything else. */
export function parseOpenSshPublicKey(line: string): { type: string; blob: Buffer } {
  const parts = line.trim().split(/\s+/);
  const [type, b64] = parts[0]?.includes('=') && parts.length > 2 ? parts.slice(1) : parts; // tolerate a leading options field
  if (!type || !b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) {
    throw new RemoteError('HOST_KEY_INVALID', `not an OpenSSH public key line: ${JSON.stringify(line.slice(0, 80))}`, {
      hint: 'give the key as in a .pub file or ssh-keyscan output: "ssh-ed25519 AAAAC3Nza..."',
    });
  }
  const blob = Buffer.from(b64, 'base64');
  const inner = blobKeyType(blob);
  if (inner !== type) {
    throw new RemoteError('HOST_KEY_INVALID', `public key line says ${type} but its data is ${inner ?? 'not a key'}`, {
      hint: 'copy the whole line from the host\'s /etc/ssh/ssh_host_*_key.pub',
    });
  }
  return { type, blob };
}

function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const n = blob.readUInt32BE(0);
  if (n > 64 || 4 + n > blob.length) return undefined;
  return blob.subarray(4, 4 + n).toString('latin1');
}

export function openSshLine(blob: Buffer): string {
  return `${blobKeyType(blob) ?? 'unknown'} ${blob.toString('base64')}`;
}

/** OpenSSH's fingerprint format: SHA256:<base64 without padding>. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export interface HostKeyPolicy {
  endpoint: string;
  pinned?: string;
  trustOnFirstUse?: boolean;
}

/**
 * Judge a presented key. Returns the decision, or a RemoteError to raise (ssh2's hostVerifier
 * can only say yes or no, so the caller keeps the error and raises it after the handshake fails).
 */
export function judgeHostKey(policy: HostKeyPolicy, presentedBlob: Buffer): HostKeyDecision | RemoteError {
  const presented = openSshLine(presentedBlob);
  const fp = fingerprint(presentedBlob);
  const at = new Date().toISOString();
  if (policy.pinned) {
    const want = parseOpenSshPublicKey(policy.pinned);
    if (want.blob.equals(presentedBlob)) return { endpoint: policy.endpoint, presented, fingerprint: fp, decision: 'pinned-match', at };
    return new RemoteError(
      'HOST_KEY_MISMATCH',
      `host key of ${policy.endpoint} does not match the pinned key: expected ${want.type} ${fingerprint(want.blob)}, server presented ${presented.split(' ')[0]} ${fp}; connection refused`,
      { hint: 'if the machine was legitimately re-installed, update its hostKey; otherwise someone may be intercepting the connection' },
    );
  }
  if (policy.trustOnFirstUse) return { endpoint: policy.endpoint, presented, fingerprint: fp, decision: 'trusted-first-use', at };
  return new RemoteError('HOST_KEY_UNKNOWN', `host key of ${policy.endpoint} is not pinned (server presented ${presented.split(' ')[0]} ${fp}); connection refused`, {
    hint: `pin it with hostKey: "${presented}" (check it on the machine: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), or set trustOnFirstUse: true`,
  });
}
