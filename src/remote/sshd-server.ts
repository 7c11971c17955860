/**
 * A private OpenSSH sshd on 127.0.0.1: its own config, host key and authorized_keys, run in
 * the foreground as a child of this process (`sshd -D -e -f <config>`) and stopped by its PID.
 * The `host` provider reaches the local machine through it; tests use it as a real server.
 */
import { freeLoopbackPort } from '../hosts/ports.js';
import { execa, type ResultPromise } from 'execa';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { PrerequisiteError, ProviderError } from '../core/errors.js';

export interface SshdOptions {
  /** OpenSSH public key line(s) allowed to log in. */
  authorizedKeys: string[];
  /** Directory for config, keys, logs; a fresh one under the prefix when absent. */
  dir?: string;
  /** Prefix for the temporary directory (tests use their own, e.g. /tmp/vbt3-). */
  tmpPrefix?: string;
  /** Prepended to PATH in every session (a directory with fake tools, for example). */
  extraPath?: string[];
  /** More variables for every session (via authorized_keys environment=); SHLVL=1 is always set. */
  env?: Record<string, string>;
  sshdPath?: string;
  /** Port to listen on; a free one when absent. */
  port?: number;
  /**
   * Run it inside this network namespace (`ip netns exec`), listening on `listenAddress` there:
   * the tests make a lab host reachable only over SSH this way. Absent: this machine, 127.0.0.1.
   */
  netns?: { name: string; listenAddress: string };
}

export interface SshdServer {
  port: number;
  /** The server's OpenSSH public host key line, to pin. */
  hostKey: string;
  pid: number;
  user: string;
  dir: string;
  /** What sshd printed so far (-e logs to stderr). */
  log(): string;
  /** Kill by PID, wait for exit, remove the directory unless it was given. */
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}


/** Resolves when something on the port answers with an SSH banner. */
async function sshBannerSeen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
  });
}

function authorizedKeysLine(key: string, env: Record<string, string>): string {
  const opts = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new TypeError(`invalid environment variable name ${JSON.stringify(k)}`);
    if (/["\n\\]/.test(v)) throw new TypeError(`environment value for ${k} may not contain quotes, backslashes or newlines`);
    return `environment="${k}=${v}"`;
  });
  return opts.length ? `${opts.join(',')} ${key.trim()}` : key.trim();
}

/** `userEnv`: the only variables authorized_keys may set (the user's ~/.ssh/environment is not read). */
export function sshdConfigText(o: { port: number; dir: string; hostKeyPath: string; userEnv: readonly string[]; listenAddress?: string }): string {
  return [
    `# written by virtbench: a private sshd on loopback, stopped by PID`,
    `Port ${o.port}`,
    `ListenAddress ${o.listenAddress ?? '127.0.0.1'}`,
    `HostKey ${o.hostKeyPath}`,
    `PidFile ${join(o.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(o.dir, 'authorized_keys')}`,
    `PubkeyAuthentication yes`,
    `PasswordAuthentication no`,
    `KbdInteractiveAuthentication no`,
    `UsePAM no`,
    `StrictModes no`,
    `PermitRootLogin prohibit-password`,
    `PermitUserEnvironment ${o.userEnv.length ? o.userEnv.join(',') : 'no'}`,
    `AllowTcpForwarding yes`,
    `X11Forwarding no`,
    `PrintMotd no`,
    `LogLevel VERBOSE`,
    `MaxStartups 100`,
    `MaxSessions 50`,
    `ClientAliveInterval 15`,
    `Subsystem sftp internal-sftp`,
    '',
  ].join('\n');
}

export async function startSshd(opts: SshdOptions): Promise<SshdServer> {
  const sshdPath = opts.sshdPath ?? SSHD;
  const ownDir = !opts.dir;
  const dir = opts.dir ?? (await mkdtemp(opts.tmpPrefix ?? join(tmpdir(), 'virtbench-sshd-')));
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o700);
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation dir
  const hostKeyPath = join(dir, 'ssh_host_ed25519_key');
  await rm(hostKeyPath, { force: true });
  await rm(`${hostKeyPath}.pub`, { force: true });
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'virtbench-sshd', '-f', hostKeyPath], { stdin: 'ignore' }).catch((e) => {
    throw new PrerequisiteError('SSH_KEYGEN_FAILED', `ssh-keygen failed in ${dir}: ${(e as Error).message}`, { hint: 'apt-get install openssh-client' });
  });
  const hostKey = (await readFile(`${hostKeyPath}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  // SHLVL=1: bash run by sshd sources the user's ~/.bashrc only as a top-level shell. Sessions of
  // this private sshd skip it, so an interactive setup (pyenv, conda: seconds a command on this
  // project's machine) neither slows every command nor changes the environment UnixBench runs in.
  const env: Record<string, string> = { SHLVL: '1', ...(opts.env ?? {}) };
  if (opts.extraPath?.length) env.PATH = [...opts.extraPath, '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');
  const userEnv = Object.keys(env);
  await writeFile(join(dir, 'authorized_keys'), opts.authorizedKeys.map((k) => authorizedKeysLine(k, env)).join('\n') + '\n', { mode: 0o600 });

  const listenAddress = opts.netns?.listenAddress ?? '127.0.0.1';
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = opts.port ?? (await freeLoopbackPort());
    const configPath = join(dir, 'sshd_config');
    await writeFile(configPath, sshdConfigText({ port, dir, hostKeyPath, userEnv, listenAddress }), { mode: 0o600 });
    const t = await execa(sshdPath, ['-t', '-f', configPath], { reject: false, stdin: 'ignore' });
    if (t.exitCode !== 0) {
      throw new PrerequisiteError('SSHD_CONFIG', `sshd rejected its config ${configPath}: ${String(t.stderr).trim()}`, {
        hint: `check that OpenSSH server is installed (${sshdPath}); apt-get install openssh-server`,
      });
    }
    let log = '';
    // `ip netns exec` enters the namespace and execs sshd: the PID stays sshd's own.
    const argv = [...(opts.netns ? ['ip', 'netns', 'exec', opts.netns.name] : []), sshdPath, '-D', '-e', '-f', configPath];
    const child: ResultPromise = execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore', buffer: false });
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.length > 1_000_000) log = log.slice(-500_000);
    });
    child.stdout?.on('data', () => {});
    const pid = child.pid;
    if (pid === undefined) throw new PrerequisiteError('SSHD_START', `could not start ${sshdPath}`, { hint: 'apt-get install openssh-server' });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    void child.catch(() => {});
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) {
      if (await sshBannerSeen(listenAddress, port)) {
        let stopped = false;
        const server: SshdServer = {
          port,
          hostKey,
          pid,
          user: userInfo().username,
          dir,
          log: () => log,
          async stop() {
            if (stopped) return;
            stopped = true;
            if (!exited) {
              // Per-connection sshd processes outlive the listener; end them too, by PID.
              const conns = childPids(pid);
              const gone = new Promise<void>((r) => (exited ? r() : child.once('exit', () => r())));
              signal(pid, 'SIGTERM');
              for (const c of conns) signal(c, 'SIGTERM');
              const killTimer = setTimeout(() => signal(pid, 'SIGKILL'), 5000);
              await gone; // not the output streams: a session's stray child may hold them open
              clearTimeout(killTimer);
            }
            if (ownDir) await rm(dir, { recursive: true, force: true });
          },
        };
        return server;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!exited) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      signal(pid, 'SIGKILL');
      await gone;
    }
    lastError = log.trim().split('\n').slice(-3).join(' / ');
    if (opts.port !== undefined) break; // a fixed port that fails will not get better
  }
  if (ownDir) await rm(dir, { recursive: true, force: true });
  throw new ProviderError('SSHD_START', `the private sshd on ${listenAddress}${opts.netns ? ` (network namespace ${opts.netns.name})` : ''} did not come up: ${lastError || 'no output'}`, {
    hint: 'check that the port is free and that /usr/sbin/sshd runs (sshd -t -f <config>)',
  });
}
