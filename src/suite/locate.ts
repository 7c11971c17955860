/**
 * Where in a suite file a mistake is (line, column, field path) and what is allowed instead, for
 * schema and plan errors alike.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { z } from 'zod';
import { closest } from './suggest.js';
import { UNIXBENCH_GROUPS, UNIXBENCH_TESTS } from '../workloads/unixbench/catalogue.js';

/** One mistake in a suite file: where it is and what is allowed instead. */
export interface SuiteIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path as the user wrote it: "targets[1].limits.cpus". */
  field: string;
  message: string;
}

export type PathSegment = string | number;

export function formatField(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(top level)';
}

/**
 * Finds the YAML node a path points at. With `key`, the key node of the last segment (an
 * unknown field is reported where its name is). When the path does not exist (a missing field),
 * the deepest node that does.
 */
export function nodeAt(doc: Document, path: readonly PathSegment[], key?: string): Node | undefined {
  let node: unknown = doc.contents;
  const segments = key === undefined ? path : [...path, key];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const wantKey = key !== undefined && i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return node as Node;
      if (wantKey) return pair.key as Node;
      if (pair.value === null || pair.value === undefined) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined || item === null) return node as Node;
      node = item;
    } else {
      return node as Node | undefined;
    }
  }
  return node as Node | undefined;
}

export function positionOf(node: Node | undefined, lines: LineCounter): { line?: number; column?: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return {};
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

type AnySchema = z.ZodType;
type Def = { type: string; innerType?: AnySchema; shape?: Record<string, AnySchema>; element?: AnySchema; valueType?: AnySchema; options?: AnySchema[] };

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: AnySchema, value: unknown): AnySchema {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (def.innerType && ['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type)) s = def.innerType;
    else if (def.type === 'union' && def.options) {
      // Pick the option this value was meant for: the object whose literal fields it matches.
      const objects = def.options.filter((o) => defOf(unwrap(o, undefined)).type === 'object');
      const fits = objects.find((o) => {
        const shape = defOf(unwrap(o, undefined)).shape ?? {};
        return Object.entries(shape).every(([k, v]) => {
          const d = defOf(v) as Def & { values?: unknown[] };
          return d.type !== 'literal' || (value !== null && typeof value === 'object' && (d.values ?? []).includes((value as Record<string, unknown>)[k]));
        });
      });
      const pick = fits ?? objects[0];
      if (!pick) return s;
      s = pick;
    } else return s;
  }
}

/** The field names an object at `path` allows, for "unknown field ... allowed: ...". */
export function allowedKeysAt(schema: AnySchema, data: unknown, path: readonly PathSegment[]): string[] {
  let s = unwrap(schema, data);
  let value = data;
  for (const seg of path) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[seg as string] : undefined;
    const def = defOf(s);
    if (def.type === 'object' && def.shape) s = def.shape[String(seg)] ?? s;
    else if (def.type === 'array' && def.element) s = def.element;
    else if (def.type === 'record' && def.valueType) s = def.valueType;
    else return [];
    s = unwrap(s, value);
  }
  const def = defOf(s);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** A zod issue as a SuiteIssue: the message a person can act on, at the line of the node. */
export function issueFromZod(
  issue: z.core.$ZodIssue,
  ctx: { file: string; doc: Document; lines: LineCounter; schema: AnySchema; data: unknown; prefix: readonly PathSegment[] },
): SuiteIssue[] {
  const path = [...ctx.prefix, ...(issue.path as PathSegment[])];
  const at = (p: readonly PathSegment[], key?: string) => positionOf(nodeAt(ctx.doc, p, key), ctx.lines);
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(ctx.schema, ctx.data, issue.path as PathSegment[]);
    return issue.keys.map((k) => {
      const guess = closest(k, allowed);
      return {
        file: ctx.file,
        ...at(path, k),
        field: formatField([...path, k]),
        message: `unknown field '${k}'${guess ? ` (did you mean '${guess}'?)` : ''}; allowed here: ${allowed.join(', ')}`,
      };
    });
  }
  const value = valueAt(ctx.data, issue.path as PathSegment[]);
  let message = issue.message;
  if (issue.code === 'invalid_type' && value === undefined) {
    message = `missing required field '${String(path[path.length - 1])}' (${issue.message.replace(/, received undefined$/, '').replace(/^Invalid input: /, '')})`;
  } else if (issue.code === 'invalid_value') {
    const allowed = issue.values.map(String);
    const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
    message = `${JSON.stringify(value)} is not allowed${guess ? ` (did you mean '${guess}'?)` : ''}; allowed: ${allowed.join(', ')}`;
  } else if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    const allowed = ((issue as { options?: unknown[] }).options ?? []).map(String);
    const d = valueAt(value, [issue.discriminator as string]) ?? valueAt(ctx.data, [...(issue.path as PathSegment[])]);
    const guess = typeof d === 'string' ? closest(d, allowed) : undefined;
    message = `${d === undefined ? 'missing' : JSON.stringify(d) + ' is not allowed'}${guess ? ` (did you mean '${guess}'?)` : ''}; allowed: ${allowed.join(', ')}`;
  } else if (issue.code === 'invalid_type') {
    message = `${issue.message.replace(/^Invalid input: /, '')}`;
  } else if (issue.code === 'custom' && message === 'unknown UnixBench test or group' && typeof value === 'string') {
    const guess = closest(value, [...Object.keys(UNIXBENCH_TESTS), ...Object.keys(UNIXBENCH_GROUPS)]);
    message = `unknown UnixBench test or group ${JSON.stringify(value)}${guess ? ` (did you mean '${guess}'?)` : ''}; allowed: the tests and groups of UnixBench 5.1.3's Run, e.g. ${['index', 'dhry2reg', 'whetstone-double', 'syscall', 'pipe', 'context1', 'spawn', 'execl', 'fstime', 'shell1'].join(', ')}`;
  }
  return [{ file: ctx.file, ...at(path), field: formatField(path), message }];
}

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg as string];
  }
  return v;
}
