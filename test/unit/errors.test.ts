import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';

describe('VirtbenchError.describe', () => {
  it('says file, line, field, message and hint', () => {
    const e = new InputError('SUITE_FIELD', 'must be a positive integer', {
      location: { file: 'suites/x.yaml', line: 7, field: 'targets[0].limits.cpus' },
      hint: 'write e.g. cpus: 2',
    });
    expect(e.describe()).toBe("suites/x.yaml:7: field 'targets[0].limits.cpus': must be a positive integer\n  hint: write e.g. cpus: 2");
  });
});
