import { startSshd, type SshdServer } from '../../src/remote/sshd-server.js';

/**
 * A real OpenSSH sshd for tests, on 127.0.0.1 with a free port, its own host key and an
 * authorized_keys for `publicKey`. `extraPath` is put in front of PATH in every session
 * (so a test can put a fake tool on PATH); no ForceCommand. Stop it with stop() (by PID).
 */
export interface TestSshd {
  port: number;
  hostKey: string;
  user: string;
  pid: number;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

export interface TestSshdOptions {
  publicKey: string;
  extraPath?: string[];
  env?: Record<string, string>;
  /** Prefix for its temp directory, e.g. "/tmp/vbt3-sshd-". */
  tmpPrefix?: string;
  /** Run it in this network namespace, listening on its address there (test/support/netns.ts). */
  netns?: { name: string; listenAddress: string };
}

export async function startTestSshd(opts: TestSshdOptions): Promise<TestSshd> {
  const s: SshdServer = await startSshd({
    authorizedKeys: [opts.publicKey],
    extraPath: opts.extraPath,
    env: opts.env,
    tmpPrefix: opts.tmpPrefix ?? '/tmp/vbt-sshd-',
    netns: opts.netns,
  });
  return s;
}

export type { SshdServer };

/** Hostile values: each must reach the remote program as exactly one argument, byte for byte. */
export const HOSTILE = [
  '; rm -rf /',
  "it's",
  "'",
  "''",
  '"double" quotes',
  'line1\nline2',
  '$(touch /tmp/vbt3-pwned)',
  '`touch /tmp/vbt3-pwned`',
  '${HOME}',
  '$HOME',
  '',
  ' ',
  'a b\tc',
  '*',
  '~',
  '-n',
  '--',
  '\\',
  '!!',
  '&& echo hi || true',
  '| cat > /tmp/vbt3-pwned',
  '> /tmp/vbt3-pwned',
  'über — 木 11月 🚀',
  '#comment',
  'a\rb',
];
