/**
 * Text read from a file (a label, a set name) is printed to terminals and written into reports:
 * control characters -- escape sequences that could rewrite the screen, move the cursor or set
 * the window title -- are shown as \xNN, never passed through.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
