/**
 * UnixBench results go through the result store (schema-checked, never silently replaced).
 * Other workloads (the runner's probe) have no place in the result schema, so their
 * result.json is written as is, in the same layout.
 */
import { join } from 'node:path';
import { atomicWriteJson } from '../core/fs.js';
import type { ResultDoc } from '../results/model.js';
import { writeResult } from '../results/run-dir.js';
import type { ResultWriter } from './workload-port.js';

export const storeResult: ResultWriter = async (runDir, doc) => {
  if (doc.workload.name === 'unixbench') return writeResult(runDir, doc as ResultDoc, [], { replace: false });
  const dir = join(runDir, doc.id);
  await atomicWriteJson(join(dir, 'result.json'), doc);
  return dir;
};
