import { describe, expect, it } from 'vitest';
import { printable } from '../../src/core/printable.js';
import { defaultAppend, qemuArgv, type QemuLaunch } from '../../src/providers/kvm/command-line.js';
import { signedPercent } from '../../src/report/format.js';
import { csvText } from '../../src/report/table-csv.js';
import { parseSuite, SuiteError } from '../../src/suite/load.js';

/** The smaller hostile-input cases: formulas in CSV, escapes in labels, commas in paths, absurd intervals, a suite asking for what cannot run. */
describe('hostile text in outputs', () => {
  it('a label starting with = + - @ stays text in a spreadsheet; numbers stay numbers', () => {
    expect(csvText('=HYPERLINK("http://x","y")')).toBe(`'=HYPERLINK("http://x","y")`);
    for (const s of ['+1+1', '-2+3', '@SUM(A1)', '\t=1']) expect(String(csvText(s)).startsWith("'")).toBe(true);
    expect(csvText('-12.5')).toBe('-12.5');
    expect(csvText(42)).toBe(42);
    expect(csvText('LXC')).toBe('LXC');
  });

  it('terminal escape bytes in a label are shown, not obeyed', () => {
    const evil = 'lxc\u001b]0;pwned\u0007\u001b[2J\u009b31m';
    const out = printable(evil);
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(out).toBe('lxc\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m');
  });

  it('a comma in a path reaches QEMU doubled (its option-list escape), never as a new option', () => {
    const dir = '/tmp/res,format=raw,file=/etc/shadow';
    const launch: QemuLaunch = {
      name: 'vbt-comma', accel: 'tcg', cpuModel: 'max', cpus: 1, memoryMiB: 256, disk: { cache: 'none', aio: 'threads', sizeGiB: 4 },
      overlay: `${dir}/overlay.qcow2`, seed: `${dir}/seed.img`, net: { mode: 'user', sshPort: 2222 }, mac: '52:54:00:00:00:01',
      kernel: '/img/vmlinuz', append: defaultAppend(), qmpSocket: `${dir}/qmp.sock`, pidFile: `${dir}/qemu.pid`, consoleLog: `${dir}/console.log`, factsLog: `${dir}/facts.log`,
    };
    const argv = qemuArgv(launch);
    const drives = argv.filter((_, i) => argv[i - 1] === '-drive');
    expect(drives[0]).toBe('file=/tmp/res,,format=raw,,file=/etc/shadow/overlay.qcow2,if=none,id=vda,format=qcow2,cache=none,aio=threads,discard=unmap');
    expect(drives[1]!.startsWith('file=/tmp/res,,format=raw,,file=/etc/shadow/seed.img,')).toBe(true);
    expect(argv[argv.indexOf('-qmp') + 1]).toBe('unix:/tmp/res,,format=raw,,file=/etc/shadow/qmp.sock,server=on,wait=off');
  });

  it('unbounded or absurd intervals read as such, never 2.75e+29%', () => {
    expect(`${signedPercent(-100)} to ${signedPercent(2.7527096175637492e29)}`).toBe('-100.0% to > +1000%');
    expect(signedPercent(Infinity)).toBe('unbounded');
    expect(signedPercent(2.75e29)).toBe('> +1000%');
    expect(signedPercent(12.345)).toBe('+12.3%');
  });

  it('image.kind cloud is refused when the suite is read (a dry run exits 2), with its line', () => {
    const text = 'name: cloudy\ntargets:\n  - name: vm\n    method: kvm\n    image: { kind: cloud, path: /tmp/x.qcow2 }\n';
    const e = (() => {
      try {
        parseSuite(text, '/tmp/cloudy.yaml');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(SuiteError);
    expect((e as SuiteError).issues[0]).toMatchObject({ line: 5, field: 'targets[0].image.kind' });
  });
});
