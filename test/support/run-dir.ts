/**
 * Test helpers that make a run directory by hand (a run.json without the runner's plan and steps),
 * for tests that read run directories back.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteJson } from '../../src/core/fs.js';
import { InputError } from '../../src/core/errors.js';
import { exists, RUN_FILE, runDirPath, type RunFile } from '../../src/results/run-dir.js';

/** Make results/<run-id>/ with its run.json. Refuses a directory that already holds a run. */
export async function createRunDir(resultsRoot: string, runId: string, run: Record<string, unknown> = {}): Promise<string> {
  const dir = runDirPath(resultsRoot, runId);
  await mkdir(dir, { recursive: true });
  if (await exists(join(dir, RUN_FILE))) {
    throw new InputError('RUN_EXISTS', `run directory ${dir} already holds a run`, {
      hint: 'resume it with `virtbench run --resume <run-dir>`, or choose another run id',
      location: { file: join(dir, RUN_FILE) },
    });
  }
  const file: RunFile = { ...run, schemaVersion: 1, runId, createdAt: new Date().toISOString() };
  await atomicWriteJson(join(dir, RUN_FILE), file);
  return dir;
}

/** Replace run.json (the runner's state as it changes). */
export async function writeRunFile(runDir: string, run: RunFile): Promise<void> {
  await atomicWriteJson(join(runDir, RUN_FILE), run);
}

