/**
 * Where the UnixBench source comes from, and proof of what it is: by default the pinned tag of
 * the suite's version (v5.1.3, or v6.0.0 when asked for) of github.com/kdlucas/byte-unixbench,
 * downloaded once into the cache; or a local directory or tarball (--unixbench-source,
 * VIRTBENCH_UNIXBENCH_SOURCE). The `Run` script's version string must say the version asked for
 * unless the user allows another, and a checksum of the source tree is recorded with every result.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { InputError, PrerequisiteError, WorkloadError } from '../../core/errors.js';
import { cacheDir } from '../../core/paths.js';
import { DEFAULT_UNIXBENCH_VERSION, UNIXBENCH_VERSIONS, type UnixBenchVersion } from './catalogue.js';

export const UNIXBENCH_VERSION = DEFAULT_UNIXBENCH_VERSION;
export const UNIXBENCH_REPO = 'https://github.com/kdlucas/byte-unixbench';
export const UNIXBENCH_COMMIT = UNIXBENCH_VERSIONS[DEFAULT_UNIXBENCH_VERSION].commit;
export const UNIXBENCH_TARBALL_URL = tarballUrl(DEFAULT_UNIXBENCH_VERSION);

export function tarballUrl(version: UnixBenchVersion): string {
  return `https://codeload.github.com/kdlucas/byte-unixbench/tar.gz/${UNIXBENCH_VERSIONS[version].commit}`;
}
export const SOURCE_ENV = 'VIRTBENCH_UNIXBENCH_SOURCE';

export interface UnixBenchSource {
  /** Local directory holding `Run`, `Makefile`, `src/`, `pgms/` (the UnixBench/ folder). */
  root: string;
  version: string;
  /** sha256 over the sorted relative paths and contents of every file in root. */
  sha256: string;
  /** What the user gave (path or URL), for the result. */
  origin: string;
  kind: 'directory' | 'tarball' | 'download';
}

export interface SourceOptions {
  /** A directory or tarball; absent: $VIRTBENCH_UNIXBENCH_SOURCE, then the pinned download. */
  source?: string;
  allowOtherVersion?: boolean;
  /** The version the suite asks for (default 5.1.3). */
  version?: UnixBenchVersion;
  cache?: string;
  /** Injected for tests; default global fetch. */
  fetchImpl?: typeof fetch;
}

export function howToProvide(version: UnixBenchVersion = DEFAULT_UNIXBENCH_VERSION): string {
  const pin = UNIXBENCH_VERSIONS[version];
  return `give a local copy with --unixbench-source <dir|tarball> or ${SOURCE_ENV}=<dir|tarball> (a checkout or tarball of ${UNIXBENCH_REPO} at tag ${pin.tag}, commit ${pin.commit})`;
}
export const HOW_TO_PROVIDE = howToProvide();

export async function resolveUnixBenchSource(opts: SourceOptions = {}): Promise<UnixBenchSource> {
  const version = opts.version ?? DEFAULT_UNIXBENCH_VERSION;
  const HOW_TO_PROVIDE = howToProvide(version);
  const given = opts.source ?? process.env[SOURCE_ENV] ?? undefined;
  const cache = join(opts.cache ?? cacheDir(), 'unixbench');
  if (given) {
    const path = resolve(given);
    const st = await stat(path).catch(() => undefined);
    if (!st) {
      throw new InputError('UNIXBENCH_SOURCE_MISSING', `UnixBench source ${given} does not exist`, {
        hint: HOW_TO_PROVIDE,
        location: { field: opts.source ? '--unixbench-source' : SOURCE_ENV },
      });
    }
    if (st.isDirectory()) return verify(findRoot(path, given, HOW_TO_PROVIDE), given, 'directory', version, opts.allowOtherVersion);
    const dir = await extractTarball(path, cache, HOW_TO_PROVIDE);
    return verify(findRoot(dir, given, HOW_TO_PROVIDE), given, 'tarball', version, opts.allowOtherVersion);
  }
  const url = tarballUrl(version);
  const tarball = downloadedTarball(cache, version);
  if (!existsSync(tarball)) await download(tarball, opts.fetchImpl ?? fetch, version);
  const dir = await extractTarball(tarball, cache, HOW_TO_PROVIDE);
  return verify(findRoot(dir, url, HOW_TO_PROVIDE), url, 'download', version, opts.allowOtherVersion);
}

/** Where the pinned download is kept, under the cache's unixbench/ folder. */
export function downloadedTarball(cache = join(cacheDir(), 'unixbench'), version: UnixBenchVersion = DEFAULT_UNIXBENCH_VERSION): string {
  return join(cache, `byte-unixbench-${UNIXBENCH_VERSIONS[version].commit.slice(0, 12)}.tar.gz`);
}

async function download(to: string, fetchImpl: typeof fetch, version: UnixBenchVersion): Promise<void> {
  await mkdir(join(to, '..'), { recursive: true });
  const url = tarballUrl(version);
  let body: Buffer;
  try {
    const res = await fetchImpl(url, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    body = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    throw new PrerequisiteError('UNIXBENCH_DOWNLOAD_FAILED', `could not download UnixBench ${version} from ${url}: ${(e as Error).message}${(e as { cause?: { code?: string } }).cause?.code ? ` (${(e as { cause?: { code?: string } }).cause!.code})` : ''}`, {
      hint: `no internet here? ${howToProvide(version)}; or place the tarball at ${to}`,
      cause: e,
    });
  }
  await writeFile(`${to}.part`, body);
  await rename(`${to}.part`, to);
}

/** Unpack once into cache/extracted-<sha of the tarball>/ and reuse it afterwards. */
async function extractTarball(tarball: string, cache: string, HOW_TO_PROVIDE: string): Promise<string> {
  const digest = createHash('sha256').update(await readFile(tarball)).digest('hex').slice(0, 16);
  const dir = join(cache, `extracted-${digest}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const r = await execa('tar', ['-xzf', tarball, '-C', dir, '--no-same-owner'], { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new InputError('UNIXBENCH_SOURCE_UNREADABLE', `cannot unpack ${tarball} as a gzip tarball: ${String(r.stderr).trim()}`, { hint: HOW_TO_PROVIDE });
  }
  await writeFile(join(dir, '.complete'), new Date().toISOString() + '\n');
  return dir;
}

/** The folder that holds `Run`: the given one, UnixBench/ inside it, or one level further down. */
function findRoot(dir: string, given: string, HOW_TO_PROVIDE: string): string {
  const candidates = [dir, join(dir, 'UnixBench')];
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) candidates.push(join(dir, e.name), join(dir, e.name, 'UnixBench'));
  } catch {
    /* unreadable: reported below */
  }
  const root = candidates.find((c) => existsSync(join(c, 'Run')) && existsSync(join(c, 'Makefile')));
  if (!root) {
    throw new InputError('UNIXBENCH_SOURCE_INVALID', `no UnixBench tree (a folder with Run and Makefile) found in ${given}`, { hint: HOW_TO_PROVIDE });
  }
  return root;
}

export function versionFromRunScript(text: string): string | undefined {
  return /^my \$version = "([^"]+)";/m.exec(text)?.[1];
}

const SKIP = new Set(['.git', 'results', 'tmp', '.complete']);

/** sha256 over "path\0size\0content" for every file, paths sorted, relative with "/". */
export async function sourceTreeSha256(root: string): Promise<string> {
  const files: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (d === root && SKIP.has(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() || e.isSymbolicLink()) files.push(relative(root, p).split(sep).join('/'));
    }
  };
  await walk(root);
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    const data = await readFile(join(root, f));
    h.update(`${f}\0${data.length}\0`);
    h.update(data);
  }
  return h.digest('hex');
}

async function verify(root: string, origin: string, kind: UnixBenchSource['kind'], wanted: UnixBenchVersion, allowOther = false): Promise<UnixBenchSource> {
  const HOW_TO_PROVIDE = howToProvide(wanted);
  const runText = await readFile(join(root, 'Run'), 'utf8');
  const version = versionFromRunScript(runText);
  if (!version) {
    throw new InputError('UNIXBENCH_SOURCE_INVALID', `${join(root, 'Run')} has no version line (my $version = "...")`, { hint: HOW_TO_PROVIDE });
  }
  if (version !== wanted && !allowOther) {
    throw new WorkloadError('UNIXBENCH_WRONG_VERSION', `UnixBench source ${origin} is version ${version}, not ${wanted}${wanted === DEFAULT_UNIXBENCH_VERSION ? ': results would not be comparable with the 2011 table' : ' (the suite\'s workload.unixbench.version)'}`, {
      hint: `${HOW_TO_PROVIDE}; or set workload.unixbench.version to ${version} if that is the version you want${version in UNIXBENCH_VERSIONS ? '' : ', or allow it explicitly (allowOtherVersion: true in the suite)'}`,
    });
  }
  return { root, version, sha256: await sourceTreeSha256(root), origin, kind };
}
