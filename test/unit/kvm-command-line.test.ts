import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import type { KvmTarget } from '../../src/core/targets.js';
import { macFor } from '../../src/providers/mac.js';
import { defaultAppend, parseCpuList, qemuArgv, validateKvmTarget, type QemuLaunch } from '../../src/providers/kvm/command-line.js';
import { classifyStartFailure } from '../../src/providers/kvm/process.js';
import { parseFactsReport } from '../../src/providers/images/disk-image-files.js';
import { planTap } from '../../src/providers/kvm/network.js';

const launch: QemuLaunch = {
  name: 'vbt5-unit',
  accel: 'kvm',
  cpuModel: 'host',
  cpus: 8,
  memoryMiB: 2048,
  disk: { cache: 'none', aio: 'native', sizeGiB: 10 },
  overlay: '/tmp/vbt5-x/overlay.qcow2',
  seed: '/tmp/vbt5-x/seed.img',
  net: { mode: 'user', sshPort: 2222 },
  mac: '52:54:00:00:00:01',
  kernel: '/img/vmlinuz',
  initrd: '/img/initrd.img',
  append: defaultAppend(),
  qmpSocket: '/tmp/vbt5-x/qmp.sock',
  pidFile: '/tmp/vbt5-x/qemu.pid',
  consoleLog: '/tmp/vbt5-x/console.log',
  factsLog: '/tmp/vbt5-x/facts.log',
};

/** The value after a flag, for every occurrence. */
function values(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1]!] : []));
}

const spec = (over: Partial<KvmTarget> = {}): KvmTarget => ({
  name: 'vbt5-spec', method: 'kvm', host: 'local', limits: {}, accel: 'auto', cpus: 2, memoryMiB: 1024, cpuModel: 'host',
  disk: { cache: 'none', aio: 'native', sizeGiB: 10 }, net: { mode: 'user' }, hugepages: false,
  image: { kind: 'debootstrap', release: 'bookworm', arch: 'amd64', mirror: 'http://deb.debian.org/debian' }, ...over,
});

describe('qemuArgv', () => {
  it('is the 2011 tuning in today\'s syntax: -cpu host, -smp, -m, virtio disk and net', () => {
    const argv = qemuArgv(launch);
    expect(argv[0]).toBe('qemu-system-x86_64');
    expect(values(argv, '-accel')).toEqual(['kvm']);
    expect(values(argv, '-cpu')).toEqual(['host']);
    expect(values(argv, '-smp')).toEqual(['8']);
    expect(values(argv, '-m')).toEqual(['2048']);
    expect(values(argv, '-drive')[0]).toBe('file=/tmp/vbt5-x/overlay.qcow2,if=none,id=vda,format=qcow2,cache=none,aio=native,discard=unmap');
    expect(values(argv, '-device')).toContain('virtio-blk-pci,drive=vda,addr=0x4');
    expect(values(argv, '-device')).toContain('virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01,addr=0x3');
    expect(values(argv, '-netdev')).toEqual(['user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22']);
    // Options current QEMU no longer has must not appear.
    expect(argv.join(' ')).not.toMatch(/boot=on|vlan=|-clock|-enable-kvm/);
  });

  it('runs daemonized with a pid file, a QMP socket and the console in a file', () => {
    const argv = qemuArgv(launch);
    expect(argv).toContain('-daemonize');
    expect(values(argv, '-pidfile')).toEqual(['/tmp/vbt5-x/qemu.pid']);
    expect(values(argv, '-qmp')).toEqual(['unix:/tmp/vbt5-x/qmp.sock,server=on,wait=off']);
    expect(values(argv, '-serial')).toEqual(['file:/tmp/vbt5-x/console.log', 'file:/tmp/vbt5-x/facts.log']);
    expect(values(argv, '-kernel')).toEqual(['/img/vmlinuz']);
    expect(values(argv, '-initrd')).toEqual(['/img/initrd.img']);
    expect(values(argv, '-append')[0]).toMatch(/^root=\/dev\/vda rw console=ttyS0/);
  });

  it('uses -cpu max and multi-threaded TCG when emulating (there is no host CPU to pass through)', () => {
    const argv = qemuArgv({ ...launch, accel: 'tcg' });
    expect(values(argv, '-accel')).toEqual(['tcg,thread=multi']);
    expect(values(argv, '-cpu')).toEqual(['max']);
    expect(values(qemuArgv({ ...launch, accel: 'tcg', cpuModel: 'Haswell' }), '-cpu')).toEqual(['Haswell']);
  });

  it('attaches the seed read-only as the second disk, and a tap device without scripts', () => {
    const argv = qemuArgv({ ...launch, net: { mode: 'tap', ifname: 'vbt12345678' } });
    expect(values(argv, '-drive')[1]).toBe('file=/tmp/vbt5-x/seed.img,if=none,id=vdb,format=raw,readonly=on');
    expect(values(argv, '-netdev')).toEqual(['tap,id=net0,ifname=vbt12345678,script=no,downscript=no']);
    expect(values(qemuArgv({ ...launch, seed: undefined }), '-drive')).toHaveLength(1);
  });

  it('backs memory with hugetlbfs when asked', () => {
    const argv = qemuArgv({ ...launch, hugepagesPath: '/dev/hugepages' });
    expect(values(argv, '-object')).toEqual(['memory-backend-file,id=vbmem,size=2048M,mem-path=/dev/hugepages,share=on,prealloc=on']);
    expect(values(argv, '-machine')).toEqual(['pc,memory-backend=vbmem']);
  });

  it('keeps a given kernel command line as one argument (no shell)', () => {
    const argv = qemuArgv({ ...launch, append: defaultAppend('quiet; rm -rf / $(id)') });
    expect(values(argv, '-append')[0]).toBe('root=/dev/vda rw console=ttyS0,115200 panic=-1 systemd.show_status=1 quiet; rm -rf / $(id)');
  });
});

describe('validateKvmTarget', () => {
  it('accepts the 2011 tuning', () => {
    expect(() => validateKvmTarget(spec())).not.toThrow();
  });
  it.each([
    [{ disk: { cache: 'writeback', aio: 'native', sizeGiB: 10 } } as Partial<KvmTarget>, 'disk.aio', /aio=native needs O_DIRECT/],
    [{ cpus: 0 }, 'cpus', /cpus must be/],
    [{ memoryMiB: 64 }, 'memoryMiB', /at least 128/],
    [{ name: 'Bad Name' }, 'name', /invalid guest name/],
    [{ limits: { cpuset: '3-1' } }, 'limits.cpuset', /invalid CPU list/],
    [{ cpuModel: 'host,+x;rm' }, 'cpuModel', /invalid CPU model/],
  ])('rejects %o naming field %s', (over, field, msg) => {
    let err: unknown;
    try {
      validateKvmTarget(spec(over));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).location?.field).toBe(field);
    expect((err as InputError).message).toMatch(msg);
    expect((err as InputError).hint).toBeTruthy();
  });
});

describe('helpers', () => {
  it('parses CPU lists', () => {
    expect(parseCpuList('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(parseCpuList('1')).toEqual([1]);
    expect(parseCpuList('a')).toBeUndefined();
  });
  it('makes a stable locally administered MAC', () => {
    expect(macFor('a')).toBe(macFor('a'));
    expect(macFor('a')).not.toBe(macFor('b'));
    expect(macFor('a')).toMatch(/^02(:[0-9a-f]{2}){5}$/);
  });
  it('turns QEMU start failures into named errors', () => {
    const port = classifyStartFailure(['qemu'], 1, "qemu-system-x86_64: -netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22: Could not set up host forwarding rule 'tcp:127.0.0.1:2222-:22'", '/x');
    expect(port.code).toBe('KVM_PORT_IN_USE');
    expect(classifyStartFailure(['qemu'], 1, 'Could not access KVM kernel module: No such file or directory', '/x').code).toBe('KVM_UNAVAILABLE');
    expect(classifyStartFailure(['qemu'], 1, 'qemu: could not load kernel \'/nope\': No such file or directory', '/x').code).toBe('KVM_FILE');
    expect(classifyStartFailure(['qemu'], 1, 'something else', '/x').code).toBe('QEMU_START');
  });
  it('reads the guest facts report between its markers', () => {
    const text = 'noise\r\nVIRTBENCH-FACTS-BEGIN\r\nkernel=6.1.0-50-amd64\r\nvirtio_drivers=virtio_blk virtio_net \r\nVIRTBENCH-FACTS-END\r\n';
    expect(parseFactsReport(text)).toEqual({ kernel: '6.1.0-50-amd64', virtio_drivers: 'virtio_blk virtio_net' });
    expect(parseFactsReport('VIRTBENCH-FACTS-BEGIN\nkernel=x\n')).toBeUndefined();
  });
  it('plans a tap address inside the subnet, the bridge at .1', () => {
    const t = planTap(spec({ net: { mode: 'tap', bridge: 'vbt5br0', subnet: '10.231.5.0/24' } }), 'run1')!;
    expect(t.gateway).toBe('10.231.5.1');
    expect(t.address).toMatch(/^10\.231\.5\.\d+$/);
    expect(t.ifname.length).toBeLessThanOrEqual(15);
    expect(() => planTap(spec({ net: { mode: 'tap', bridge: 'vbt5br0', subnet: '10.231.5.0/24', address: '10.9.9.9' } }), 'run1')).toThrow(/not in 10.231.5.0\/24/);
  });
});
