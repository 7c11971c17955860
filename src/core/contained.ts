/**
 * Names read back from disk (result ids, step ids, run ids, record keys) become path parts and
 * command arguments. They match this rule, and every path built from them is checked to lie
 * under the directory it belongs to before anything is read, written or removed there.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError, type ErrorLocation } from './errors.js';

export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isSafeName(s: unknown): s is string {
  return typeof s === 'string' && SAFE_NAME.test(s) && !s.includes('..');
}

/** True when `path` lies strictly under `dir` (lexically, after resolving both). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** `dir` joined with `parts`, or an InputError when the result would leave `dir`. */
export function pathInside(dir: string, parts: string | readonly string[], location?: ErrorLocation): string {
  const list = typeof parts === 'string' ? [parts] : [...parts];
  const path = resolve(dir, ...list);
  if (!isInside(dir, path)) {
    throw new InputError('PATH_OUTSIDE', `${JSON.stringify(list.join('/'))} leads outside ${dir}; refusing to use it`, {
      hint: 'the file naming it was edited or damaged: names are letters, digits, ".", "_" and "-", never "/" or ".."',
      location,
    });
  }
  return path;
}
