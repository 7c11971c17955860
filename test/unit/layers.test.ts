import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

// The folder order of DESIGN.md, checked by dependency-cruiser with .dependency-cruiser.cjs.
const depcruise = (target: string) =>
  execa('node_modules/.bin/depcruise', [target, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
    reject: false,
    all: true,
  });

describe('layer order', () => {
  it('src/ imports only earlier layers', async () => {
    const run = await depcruise('src');
    expect(run.all).toContain('no dependency violations found');
    expect(run.exitCode).toBe(0);
  });

  it('rejects a deliberately wrong import (core -> report) in the fixture', async () => {
    const run = await depcruise('test/fixtures/layers/src');
    expect(run.exitCode).not.toBe(0);
    expect(run.all).toContain('layer-order-core');
    expect(run.all).toContain('wrong-import.ts');
  });
});
