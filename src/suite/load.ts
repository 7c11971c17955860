/**
 * Reads a suite file (YAML) into a RunPlan, or fails with every mistake in it, each with its line
 * and field.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { InputError, formatLocation } from '../core/errors.js';
import { issueFromZod, type SuiteIssue } from './locate.js';
import type { RunPlan } from './plan.js';
import { DESCRIPTORS } from '../providers/registry.js';
import { suiteSchema, targetSchemas } from './schema.js';
import { buildPlan } from './build.js';
import { checkPlan } from './checks.js';

/** A suite file with mistakes: every one of them, each with its line and field. */
export class SuiteError extends InputError {
  readonly issues: SuiteIssue[];
  constructor(file: string, issues: SuiteIssue[]) {
    const first = issues[0];
    super('SUITE_INVALID', `${file}: ${issues.length} mistake${issues.length === 1 ? '' : 's'} in the suite`, {
      hint: 'fix the fields above; the ready suites in suites/ show every field in use',
      location: first ? { file, line: first.line, column: first.column, field: first.field } : { file },
    });
    this.issues = issues;
  }

  override describe(): string {
    const lines = this.issues.map((i) => `  ${formatLocation({ file: i.file, line: i.line, column: i.column, field: i.field })}: ${i.message}`);
    return `${this.message}:\n${lines.join('\n')}\n  hint: ${this.hint}`;
  }
}

export async function loadSuite(path: string): Promise<RunPlan> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError('SUITE_UNREADABLE', `cannot read suite file ${path}: ${(e as Error).message}`, {
      hint: 'give the path of a suite YAML file, e.g. suites/local-quick.yaml',
      location: { file: path },
    });
  }
  return parseSuite(text, file);
}

/** Parses and validates suite text; throws SuiteError with every mistake found. */
export function parseSuite(text: string, file: string): RunPlan {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SuiteError(
      file,
      doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0]?.line,
        column: e.linePos?.[0]?.col,
        field: '(YAML syntax)',
        message: e.message.split('\n')[0]!,
      })),
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SuiteError(file, [{ file, line: 1, field: '(top level)', message: 'a suite is a YAML mapping with at least a targets list' }]);
  }
  const issues: SuiteIssue[] = [];
  const top = suiteSchema.safeParse(data);
  if (!top.success) {
    for (const issue of top.error.issues) issues.push(...issueFromZod(issue, { file, doc, lines, schema: suiteSchema, data, prefix: [] }));
  }

  const rawTargets = Array.isArray((data as Record<string, unknown>).targets) ? ((data as Record<string, unknown>).targets as unknown[]) : [];
  const targets = rawTargets.map((raw, i) => {
    const method = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).method : undefined;
    const schema = typeof method === 'string' && Object.hasOwn(targetSchemas, method) ? targetSchemas[method] : undefined;
    if (!schema) {
      const allowed = Object.keys(targetSchemas);
      const zi = method === undefined
        ? { code: 'invalid_type' as const, expected: 'string' as const, path: ['method'], message: `expected one of ${allowed.join(', ')}`, input: undefined }
        : { code: 'invalid_value' as const, values: allowed, path: ['method'], message: 'invalid method', input: method };
      issues.push(...issueFromZod(zi as never, { file, doc, lines, schema: DESCRIPTORS[0].targetSchema, data: raw, prefix: ['targets', i] }));
      return undefined;
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) issues.push(...issueFromZod(issue, { file, doc, lines, schema, data: raw, prefix: ['targets', i] }));
      return undefined;
    }
    return r.data;
  });

  const suiteDir = dirname(file);
  const resolvePath = (p: string) => (p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : isAbsolute(p) ? p : resolve(suiteDir, p));
  const rawHosts = (data as Record<string, unknown>).hosts;
  const hosts = rawHosts !== null && typeof rawHosts === 'object' && !Array.isArray(rawHosts) ? (rawHosts as Record<string, unknown>) : {};
  issues.push(...checkPlan(hosts, rawTargets, targets, { file, doc, lines }, (data as Record<string, unknown>).kernels));
  if (issues.length > 0 || !top.success || targets.some((t) => t === undefined)) {
    throw new SuiteError(file, sortIssues(issues));
  }
  return buildPlan(top.data, targets.map((t) => t!), {
    file,
    defaultName: basename(file, extname(file)),
    resolvePath,
    lineOf: (i) => {
      const node = doc.getIn(['targets', i], true) as { range?: [number, number, number] } | undefined;
      return node?.range ? lines.linePos(node.range[0]).line : undefined;
    },
  });
}

function sortIssues(issues: SuiteIssue[]): SuiteIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
