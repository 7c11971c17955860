/**
 * Watch a booting guest until it is ready, and say plainly why not when it is not: QEMU gone,
 * a QMP status that will never run again (internal-error is how KVM on this machine's PVM
 * backend dies), no console output for too long, or a deadline.
 */
import { connect } from 'node:net';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError, ProviderError } from '../../core/errors.js';
import type { ProgressSink } from '../../core/progress.js';
import type { KvmMachine } from './machine.js';
import { isOurQemu } from './process.js';
import type { QmpClient } from './qmp.js';

export type BootFailureReason = 'exited' | 'internal-error' | 'panicked' | 'shutdown' | 'stalled' | 'deadline';

export class BootFailure extends ProviderError {
  constructor(readonly reason: BootFailureReason, message: string, readonly consoleTail: string, hint: string) {
    super(`KVM_BOOT_${reason.toUpperCase().replace('-', '_')}`, consoleTail ? `${message}\n    console: ${consoleTail.split('\n').join('\n    console: ')}` : message, { hint });
  }
}

export interface BootWatchOptions {
  subject: string;
  qmp: QmpClient;
  pid: number;
  pidFile: string;
  consoleLog: string;
  /** Ready when this says so (an SSH banner, a console line). */
  ready: (console: string) => Promise<boolean>;
  deadlineMs: number;
  /** No new console output for this long means the guest is stuck. */
  stallMs: number;
  progress: ProgressSink;
  signal?: AbortSignal;
  pollMs?: number;
  /** Where QEMU runs (default: this machine). */
  machine?: Pick<KvmMachine, 'readTail' | 'isOurQemu'>;
}

const DEAD_STATES: Record<string, BootFailureReason> = {
  'internal-error': 'internal-error',
  'guest-panicked': 'panicked',
  shutdown: 'shutdown',
};

/** Resolves with the seconds it took; throws BootFailure or InterruptedError. */
export async function watchBoot(o: BootWatchOptions): Promise<number> {
  const started = Date.now();
  let consoleText = '';
  let lastGrowth = Date.now();
  let lastReport = 0;
  const tail = () => consoleTail(consoleText);
  for (;;) {
    if (o.signal?.aborted) throw new InterruptedError(`${o.subject}: boot interrupted`);
    const text = o.machine ? await o.machine.readTail(o.consoleLog, 65536) : await readTail(o.consoleLog);
    if (text.length !== consoleText.length) {
      consoleText = text;
      lastGrowth = Date.now();
    }
    const now = Date.now();
    const elapsed = (now - started) / 1000;
    if (/KVM internal error|emulation failure/.test(consoleText)) {
      throw new BootFailure('internal-error', `${o.subject}: KVM internal error (emulation failure) after ${elapsed.toFixed(1)} s`, tail(), 'KVM on this host cannot run this guest kernel; use accel: tcg or auto');
    }
    if (!(await (o.machine ? o.machine.isOurQemu(o.pid, o.pidFile) : isOurQemu(o.pid, o.pidFile)))) {
      throw new BootFailure('exited', `${o.subject}: QEMU (PID ${o.pid}) exited during boot after ${elapsed.toFixed(1)} s`, tail(), 'the guest panicked or QEMU crashed; read the console log');
    }
    const status = await o.qmp.queryStatus().catch(() => undefined);
    const dead = status ? DEAD_STATES[status.status] : undefined;
    if (dead) {
      const what = dead === 'internal-error' ? 'QMP status internal-error (KVM internal error: the CPU could not be emulated)' : `QMP status ${status!.status}`;
      throw new BootFailure(dead, `${o.subject}: guest stopped with ${what} after ${elapsed.toFixed(1)} s`, tail(), dead === 'internal-error' ? 'KVM does not run this guest here; use accel: auto (falls back to TCG) or tcg' : 'read the console log');
    }
    if (await o.ready(consoleText)) return elapsed;
    if (now - lastGrowth > o.stallMs) {
      throw new BootFailure('stalled', `${o.subject}: no console output for ${((now - lastGrowth) / 1000).toFixed(0)} s (QMP status ${status?.status ?? 'unknown'}); the guest is not booting`, tail(), 'the accelerator may crawl or the kernel hangs; try accel: tcg, or a longer boot deadline');
    }
    if (now - started > o.deadlineMs) {
      throw new BootFailure('deadline', `${o.subject}: not ready after ${(o.deadlineMs / 1000).toFixed(0)} s (QMP status ${status?.status ?? 'unknown'})`, tail(), 'the guest boots too slowly (TCG is 10-20x slower than KVM) or sshd did not start; raise the boot deadline or read the console log');
    }
    if (now - lastReport > 5_000) {
      lastReport = now;
      const line = lastLine(consoleText);
      o.progress({ subject: o.subject, step: 'provision', message: `booting (${elapsed.toFixed(0)} s, ${status?.status ?? '?'})${line ? `: ${line}` : ''}`, elapsedSeconds: elapsed, level: 'debug' });
    }
    await sleep(o.pollMs ?? 250, undefined, { signal: o.signal }).catch(() => {});
  }
}

/** The last `bytes` of a local file, '' when it does not exist (64 KiB of console: enough for progress and error markers). */
export async function readTail(path: string, bytes = 65536): Promise<string> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return '';
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, bytes);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

function consoleLines(text: string): string[] {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
}

export function consoleTail(text: string, n = 6): string {
  return consoleLines(text).slice(-n).join('\n');
}

function lastLine(text: string): string {
  return (consoleLines(text).at(-1) ?? '').slice(0, 120);
}

/** True when something on host:port answers with an SSH banner (user-mode forwarding accepts first, so a TCP connect alone proves nothing). */
export function sshBannerSeen(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let got = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('close', () => done(false));
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.length >= 4) done(got.startsWith('SSH-'));
    });
  });
}
