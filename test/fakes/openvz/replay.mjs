#!/usr/bin/env node
// FAKE OpenVZ host tools for tests. OpenVZ needs its own patched kernel, so the provider is
// tested against recorded transcripts instead: this program stands in for vzctl, prlctl,
// vzpkg and the few host commands the provider runs (uname, ls, cat, nproc). Given the argv it
// received, it takes the next step of the transcript, checks that the argv matches exactly,
// prints the recorded stdout/stderr and exits with the recorded code. Anything unexpected
// fails loudly (exit 99) and says what the transcript expected.
//
// Usage: replay.mjs <tool> [args...]
// Environment: FAKE_OPENVZ_TRANSCRIPT (the .transcript file), FAKE_OPENVZ_STATE (a JSON file
// holding the index of the next step; created on first use).
//
// Transcript format:
//   lines starting with '#' outside a step are comments
//   $ argv...            one command; words split like a POSIX shell ('...' and "..." quoting)
//   output line          stdout
//   ! output line        stderr ("!" and one space are removed)
//   [exit N]             end of the step
import { readFileSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// General utilities the fake also answers for. The login shell's own startup files (a
// ~/.bashrc running `pyenv init`, say) use them too, so a call that matches NO step of the
// transcript goes to the real program; vzctl, prlctl and vzpkg are always strict.
const GENERAL_UTILITIES = new Set(['uname', 'ls', 'cat', 'nproc']);

function runReal(tool, args) {
  const self = realpathSync(process.argv[1]);
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const cand = join(dir, tool);
    if (!existsSync(cand)) continue;
    const real = realpathSync(cand);
    if (real.includes('/test/fakes/openvz/') || real === self) continue;
    const r = spawnSync(cand, args, { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`FAKE ${tool}: no real ${tool} on PATH\n`);
  process.exit(127);
}

/** Split a `$` line into words: spaces separate; '...' is literal; "..." allows \" \\ \$ \`. */
export function splitWords(line) {
  const words = [];
  let cur = null;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      if (cur !== null) words.push(cur);
      cur = null;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      cur = (cur ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) {
          s += line[j + 1];
          j += 2;
        } else s += line[j++];
      }
      if (j >= line.length) throw new Error(`unterminated " in: ${line}`);
      cur = (cur ?? '') + s;
      i = j + 1;
    } else if (c === '\\' && i + 1 < line.length) {
      cur = (cur ?? '') + line[i + 1];
      i += 2;
    } else {
      cur = (cur ?? '') + c;
      i++;
    }
  }
  if (cur !== null) words.push(cur);
  return words;
}

export function parseTranscript(text, file = 'transcript') {
  const steps = [];
  let step = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (step === null) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      if (!line.startsWith('$ ')) throw new Error(`${file}:${n + 1}: expected "$ command" or a # comment, got: ${line}`);
      step = { line: n + 1, argv: splitWords(line.slice(2)), stdout: [], stderr: [], exit: null };
      continue;
    }
    const m = /^\[exit (\d+)\]$/.exec(line);
    if (m) {
      step.exit = Number(m[1]);
      steps.push(step);
      step = null;
    } else if (line.startsWith('!')) step.stderr.push(line.replace(/^! ?/, ''));
    else step.stdout.push(line);
  }
  if (step !== null) throw new Error(`${file}:${step.line}: step has no [exit N] line`);
  return steps;
}

function show(argv) {
  return argv.map((a) => (/^[A-Za-z0-9_\-+=.,/:@%]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function main() {
  const [tool, ...args] = process.argv.slice(2);
  const argv = [tool, ...args];
  const file = process.env.FAKE_OPENVZ_TRANSCRIPT;
  const stateFile = process.env.FAKE_OPENVZ_STATE;
  if (!file || !stateFile) {
    process.stderr.write(`FAKE ${tool}: FAKE_OPENVZ_TRANSCRIPT and FAKE_OPENVZ_STATE must be set (this is a test fake, not OpenVZ)\n`);
    process.exit(99);
  }
  const steps = parseTranscript(readFileSync(file, 'utf8'), file);
  const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : { next: 0, ran: [], errors: [] };
  const expected = steps[state.next];
  const known = steps.some((s) => JSON.stringify(s.argv) === JSON.stringify(argv));
  if (GENERAL_UTILITIES.has(tool) && !known && !(expected && JSON.stringify(expected.argv) === JSON.stringify(argv))) return runReal(tool, args);
  if (!expected || JSON.stringify(expected.argv) !== JSON.stringify(argv)) {
    const lines = [
      `FAKE ${tool} (replaying ${file}): unexpected command`,
      `  got:      ${show(argv)}`,
      expected ? `  expected: ${show(expected.argv)}   (step ${state.next + 1}, line ${expected.line})` : `  expected: nothing (all ${steps.length} steps were replayed)`,
      `  remaining steps:`,
      ...steps.slice(state.next).map((s, i) => `    ${state.next + i + 1}. ${show(s.argv)}`),
    ];
    state.errors.push(lines.join('\n'));
    writeFileSync(stateFile, JSON.stringify(state, null, 2));
    process.stderr.write(lines.join('\n') + '\n');
    process.exit(99);
  }
  state.next++;
  state.ran.push(show(argv));
  state.total = steps.length;
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  if (expected.stdout.length) process.stdout.write(expected.stdout.join('\n') + '\n');
  if (expected.stderr.length) process.stderr.write(expected.stderr.join('\n') + '\n');
  process.exitCode = expected.exit;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
