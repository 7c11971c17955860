/**
 * The ONE quoting function for remote command lines. SSH sends a single string that the
 * remote login shell parses, so every argument is wrapped in single quotes, where a POSIX
 * shell gives no character a special meaning; an embedded single quote becomes '\''.
 * Nothing else in the code base may build a remote command string from values.
 */

/** Quote one argument so a POSIX shell (sh, bash, dash, ash) reads it back byte for byte. */
export function shellQuote(arg: string): string {
  if (typeof arg !== 'string') throw new TypeError(`shellQuote: expected a string, got ${typeof arg}`);
  if (arg.includes('\0')) throw new TypeError('shellQuote: a NUL byte cannot be passed in a command line');
  // Plain words stay readable in logs and dry-run output; anything else is single-quoted.
  if (arg !== '' && /^[A-Za-z0-9_\-+=.,/:@%]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argument vector as one remote command line: each element quoted, joined by spaces. */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('shellCommand: empty argv');
  return argv.map(shellQuote).join(' ');
}

/**
 * Environment assignments in front of a command (`env` is not used so that the command's
 * own PATH lookup happens after the assignment, exactly as with `VAR=value cmd`).
 */
export function shellEnvPrefix(env: Readonly<Record<string, string>> | undefined): string {
  if (!env) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new TypeError(`shellEnvPrefix: invalid variable name ${JSON.stringify(k)}`);
    parts.push(`${k}=${shellQuote(v)}`);
  }
  return parts.length ? parts.join(' ') + ' ' : '';
}
