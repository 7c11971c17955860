import { copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A FAKE OpenVZ host for tests: a bin directory whose vzctl, prlctl, vzpkg, uname, ls, cat and
 * nproc all replay one transcript (replay.mjs). Put `binDir` first on PATH (locally, or in the
 * test sshd's sessions) and set `env` for the commands.
 */
export const FAKES_DIR = dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = resolve(FAKES_DIR, '../../fixtures/openvz');

const TOOLS: Record<string, string> = {
  vzctl: 'fake-vzctl',
  prlctl: 'fake-prlctl',
  vzpkg: 'fake-host-tool',
  uname: 'fake-host-tool',
  ls: 'fake-host-tool',
  cat: 'fake-host-tool',
  nproc: 'fake-host-tool',
};

export interface ReplayState {
  next: number;
  total?: number;
  ran: string[];
  errors: string[];
}

export interface FakeOpenvzHost {
  binDir: string;
  transcript: string;
  env: Record<string, string>;
  /** What the fake replayed so far (and any unexpected command it refused). */
  state(): Promise<ReplayState>;
  /** Replay another transcript from its first step (env stays the same: a fixed path is used). */
  useTranscript(name: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function fakeOpenvzHost(transcriptName: string, tmpPrefix = '/tmp/vbt6-fake-'): Promise<FakeOpenvzHost> {
  const dir = await mkdtemp(tmpPrefix);
  const binDir = join(dir, 'bin');
  const transcript = join(dir, 'current.transcript');
  const stateFile = join(dir, 'state.json');
  const useTranscript = async (name: string) => {
    const src = join(FIXTURES_DIR, name);
    if (!existsSync(src)) throw new Error(`no transcript ${src}`);
    await copyFile(src, transcript);
    await rm(stateFile, { force: true });
  };
  await useTranscript(transcriptName);
  await mkdir(binDir);
  for (const [name, fake] of Object.entries(TOOLS)) await symlink(join(FAKES_DIR, fake), join(binDir, name));
  return {
    useTranscript,
    binDir,
    transcript,
    env: { FAKE_OPENVZ_TRANSCRIPT: transcript, FAKE_OPENVZ_STATE: stateFile },
    async state() {
      if (!existsSync(stateFile)) return { next: 0, ran: [], errors: [] };
      return JSON.parse(await readFile(stateFile, 'utf8')) as ReplayState;
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Counts the `$` steps of a transcript (what a full replay must have consumed). */
export async function transcriptSteps(transcriptName: string): Promise<number> {
  const text = await readFile(join(FIXTURES_DIR, transcriptName), 'utf8');
  let steps = 0;
  let inStep = false;
  for (const line of text.split('\n')) {
    if (!inStep && line.startsWith('$ ')) { steps++; inStep = true; } else if (inStep && /^\[exit \d+\]$/.test(line)) inStep = false;
  }
  return steps;
}
