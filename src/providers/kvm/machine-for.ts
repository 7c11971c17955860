/** The KvmMachine for a host: this machine, or a remote host reached over SSH. */
import { ProviderError } from '../../core/errors.js';
import type { CommandHost } from '../../core/host.js';
import { SshHost } from '../../remote/ssh-host.js';
import type { KvmMachine } from './machine.js';
import { LocalKvmMachine } from './machine-local.js';
import { RemoteKvmMachine } from './machine-remote.js';

export function kvmMachineFor(host: CommandHost): KvmMachine {
  if (host.isLocal) return new LocalKvmMachine(host);
  if (host instanceof SshHost) return new RemoteKvmMachine(host);
  throw new ProviderError('REMOTE_NO_SSH', `KVM on host ${host.name}: a remote host must be reached over SSH`, { hint: 'define the host under hosts: with an address or an ~/.ssh/config alias' });
}
