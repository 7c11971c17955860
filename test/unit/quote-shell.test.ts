import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { shellCommand, shellEnvPrefix, shellQuote } from '../../src/remote/quote.js';
import { HOSTILE } from '../support/sshd.js';


describe('shellQuote', () => {
  it('leaves plain words readable', () => {
    expect(shellQuote('abc-1.2_x/y:z@w')).toBe('abc-1.2_x/y:z@w');
    expect(shellCommand(['ls', '-l', '/tmp'])).toBe('ls -l /tmp');
  });

  it('single-quotes everything else and escapes embedded quotes', () => {
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('; rm -rf /')).toBe("'; rm -rf /'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$(id)')).toBe("'$(id)'");
    expect(shellQuote('a\nb')).toBe("'a\nb'");
  });

  it('refuses NUL bytes and non-strings', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
    expect(() => shellQuote(42 as unknown as string)).toThrow(TypeError);
    expect(() => shellCommand([])).toThrow(/empty/);
  });

  it('builds environment prefixes and refuses bad names', () => {
    expect(shellEnvPrefix({ LANG: 'C', X: 'a b' })).toBe("LANG=C X='a b' ");
    expect(shellEnvPrefix(undefined)).toBe('');
    expect(() => shellEnvPrefix({ 'A;B': 'x' })).toThrow(/invalid variable name/);
  });

  // The same shells the remote side may use: every hostile value comes back as one argument.
  for (const sh of ['/bin/sh', '/bin/bash', '/bin/dash']) {
    it(`round-trips hostile values through ${sh} -c`, async () => {
      const line = shellCommand(['printf', '%s\\0', ...HOSTILE]);
      const r = await execa(sh, ['-c', line], { stripFinalNewline: false });
      const got = r.stdout.split('\0').slice(0, -1);
      expect(got).toEqual(HOSTILE);
    });
  }
});
