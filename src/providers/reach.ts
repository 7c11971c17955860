/**
 * A guest on a remote host sits on that host's private bridge (or its loopback): it is reached
 * through the host as an SSH jump, never dialled from the controller.
 */
import { ProviderError } from '../core/errors.js';
import type { SshEndpoint } from '../core/guest.js';
import type { CommandHost } from '../core/host.js';
import { SshHost } from '../remote/ssh-host.js';

export function jumpThrough(host: CommandHost): { jump?: SshEndpoint } {
  if (host.isLocal) return {};
  if (!(host instanceof SshHost)) {
    throw new ProviderError('REMOTE_NO_SSH', `host ${host.name} is remote but has no SSH endpoint to reach its guests through`, {
      hint: 'define the host under hosts: with an address or an ~/.ssh/config alias',
    });
  }
  return { jump: host.ssh };
}
