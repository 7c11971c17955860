/**
 * `virtbench doctor`: where a run would get UnixBench from. A given source must exist; without
 * one, the pinned download must be cached already or reachable now.
 */
import { existsSync } from 'node:fs';
import type { DoctorCheck } from '../../core/provider.js';
import { downloadedTarball, HOW_TO_PROVIDE, SOURCE_ENV, UNIXBENCH_TARBALL_URL, UNIXBENCH_VERSION } from './source.js';

export async function unixbenchSourceCheck(fetchImpl: typeof fetch = fetch): Promise<DoctorCheck> {
  const what = `UnixBench ${UNIXBENCH_VERSION} source`;
  const given = process.env[SOURCE_ENV];
  if (given) {
    const ok = existsSync(given);
    return { provider: 'unixbench', what, ok, detail: `${SOURCE_ENV}=${given}${ok ? '' : ' does not exist'}`, ...(ok ? {} : { fix: HOW_TO_PROVIDE }) };
  }
  const cached = downloadedTarball();
  if (existsSync(cached)) return { provider: 'unixbench', what, ok: true, detail: `downloaded before: ${cached}` };
  const reachable = await fetchImpl(UNIXBENCH_TARBALL_URL, { method: 'HEAD', signal: AbortSignal.timeout(10_000) }).then((r) => r.ok, () => false);
  return reachable
    ? { provider: 'unixbench', what, ok: true, detail: `not cached; a run downloads it once from ${UNIXBENCH_TARBALL_URL}` }
    : { provider: 'unixbench', what, ok: false, detail: `not cached, none given, and ${UNIXBENCH_TARBALL_URL} cannot be reached from here`, fix: HOW_TO_PROVIDE };
}
