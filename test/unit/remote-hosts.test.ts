import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { knownHostKey } from '../../src/remote/known-hosts.js';
import { resolveSshAlias } from '../../src/remote/ssh-config.js';
import { parseSuite } from '../../src/suite/load.js';
import { suiteIssues } from '../support/suite-issues.js';

const tmp = mkdtempSync('/tmp/vbt16-hosts-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONFIG = `# a typical laptop config
Host lab lab-*
  HostName 192.0.2.10
  User bench
  IdentityFile ~/.ssh/lab_ed25519

Host lab
  User ignored-second-value
  Port 2222

Host *.far !nope.far
  ProxyJump gateway

Host *
  Port 22
  ServerAliveInterval 30
`;

describe('~/.ssh/config aliases', () => {
  it('takes the first value of each keyword from the matching blocks, as OpenSSH does', () => {
    const r = resolveSshAlias('lab', CONFIG, '/cfg');
    expect(r.ok && r.host).toMatchObject({ alias: 'lab', hostName: '192.0.2.10', user: 'bench', port: 2222 });
    expect(r.ok && r.host.identityFile).toMatch(/\/\.ssh\/lab_ed25519$/);
    const other = resolveSshAlias('lab-b', CONFIG, '/cfg');
    expect(other.ok && other.host.port).toBe(22);
  });

  it('refuses what it cannot follow and aliases it does not know', () => {
    expect(resolveSshAlias('x.far', CONFIG, '/cfg')).toMatchObject({ ok: false, message: expect.stringMatching(/ProxyJump/) });
    expect(resolveSshAlias('nope.far', CONFIG, '/cfg')).toMatchObject({ ok: true });
    expect(resolveSshAlias('lab', 'Include other\nHost lab\n HostName a\n', '/cfg')).toMatchObject({ ok: false, message: expect.stringMatching(/Include/) });
    expect(resolveSshAlias('zzz', 'Host lab\n HostName a\n', '/cfg')).toMatchObject({ ok: false, message: "no 'Host' entry in /cfg matches 'zzz'" });
  });
});

describe('known_hosts', () => {
  it('finds plain, bracketed and hashed entries', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[192.0.2.11]:2222').digest('base64')}`;
    const file = join(tmp, 'known_hosts');
    writeFileSync(file, [`192.0.2.10,lab ssh-rsa AAAArsa`, `192.0.2.10 ssh-ed25519 AAAAed`, `${hashed} ssh-ed25519 AAAAhashed`, `@revoked 192.0.2.12 ssh-ed25519 AAAAbad`, ''].join('\n'));
    expect(knownHostKey('192.0.2.10', 22, file)).toBe('ssh-ed25519 AAAAed');
    expect(knownHostKey('lab', 22, file)).toBe('ssh-rsa AAAArsa');
    expect(knownHostKey('192.0.2.11', 2222, file)).toBe('ssh-ed25519 AAAAhashed');
    expect(knownHostKey('192.0.2.11', 22, file)).toBeUndefined();
    expect(knownHostKey('192.0.2.12', 22, file)).toBeUndefined();
  });
});

const issues = (text: string) => suiteIssues(text, '/tmp/vbt16.yaml');

describe('suite hosts', () => {
  it('accepts LXC and KVM targets on a remote host (every method supports one now)', () => {
    const found = issues(`hosts:
  lab: { address: 192.0.2.10, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0" }
targets:
  - { name: c, method: lxc, host: lab }
  - name: k
    method: kvm
    host: lab
`);
    expect(found).toEqual([]);
  });

  it('resolves a host given by alias, with the key known_hosts pins for it', () => {
    const cfg = join(tmp, 'config');
    writeFileSync(cfg, 'Host lab\n  HostName 192.0.2.20\n  User bench\n  Port 2200\n  IdentityFile /keys/lab\n  UserKnownHostsFile ' + join(tmp, 'kh') + '\n');
    writeFileSync(join(tmp, 'kh'), '[192.0.2.20]:2200 ssh-ed25519 AAAAlab\n');
    process.env.VIRTBENCH_SSH_CONFIG = cfg;
    try {
      const plan = parseSuite('hosts:\n  far: { alias: lab }\ntargets:\n  - { name: c, method: lxc, host: far }\n', '/tmp/vbt16.yaml');
      expect(plan.hosts.find((h) => h.name === 'far')?.ssh).toEqual({ address: '192.0.2.20', port: 2200, user: 'bench', privateKeyPath: '/keys/lab', hostKey: 'ssh-ed25519 AAAAlab', trustOnFirstUse: false, alias: 'lab' });
      const bad = issues('hosts:\n  far: { alias: nolab }\n  both: { alias: lab, address: 1.2.3.4 }\n  none: { user: root }\ntargets:\n  - { name: c, method: lxc, host: far }\n');
      expect(bad.map((i) => [i.field, i.line])).toEqual([['hosts.far.alias', 2], ['hosts.both.alias', 3], ['hosts.none', 4]]);
      expect(bad[0]!.message).toMatch(/no 'Host' entry in .* matches 'nolab'/);
    } finally {
      delete process.env.VIRTBENCH_SSH_CONFIG;
    }
  });
});

describe('the dry run of a suite with a lab host', () => {
  it('lists the commands per host: the upload from here, the container on the lab', async () => {
    const { dryRunText } = await import('../../src/runner/dry-run.js');
    const { defaultProviders } = await import('../../src/runner/providers.js');
    const plan = parseSuite(`hosts:
  lab: { address: 192.0.2.10, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0" }
targets:
  - { name: here, method: lxc }
  - { name: there, method: lxc, host: lab, network: { bridge: labbr, subnet: 10.9.0.0/24 } }
`, '/tmp/vbt16.yaml');
    const text = await dryRunText(plan, { providers: defaultProviders(), workloadLines: ['./Run'], seed: 1 });
    const lab = text.slice(text.indexOf('host lab [root@192.0.2.10:22]'));
    expect(text.indexOf('host local (this machine): 1 target(s)')).toBeLessThan(text.indexOf('host lab'));
    expect(lab).toMatch(/\[local\] \$ tar -C \/\S+\/rootfs\/debian-bookworm-amd64-\w+\/root --numeric-owner --xattrs -cf - \./);
    expect(lab).toMatch(/\[root@192\.0\.2\.10:22\] \$ tar -C \/var\/cache\/virtbench\/rootfs\/debian-bookworm-amd64-\w+\.upload\/root/);
    expect(lab).toContain('[root@192.0.2.10:22] $ ip link add name labbr type bridge');
    expect(lab).toContain('[root@192.0.2.10:22] $ lxc-start -n there -d');
    expect(lab).not.toContain('-n here');
  });
});
