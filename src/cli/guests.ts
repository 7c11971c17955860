/**
 * `virtbench guests list|destroy`: what the harness owns on this host, from its ownership records
 * (never by name pattern), and removal of what a crashed run left behind (through each method's
 * descriptor: providers/destroy-owned.ts).
 */
import type { CommandModule } from 'yargs';
import { InputError, isVirtbenchError } from '../core/errors.js';
import type { CommandHost } from '../core/host.js';
import { stderrProgress } from '../core/progress.js';
import { destroyOwned } from '../providers/destroy-owned.js';
import { listOwned, ownerIsGone, type OwnedRecord } from '../providers/ownership.js';
import { openHostArg, withHostOptions, type HostArgs } from './host-option.js';

export interface OwnedRow {
  record: OwnedRecord;
  orphaned: boolean;
}

export async function ownedRows(host?: CommandHost): Promise<OwnedRow[]> {
  const rows: OwnedRow[] = [];
  for (const record of await listOwned(host)) rows.push({ record, orphaned: await ownerIsGone(record) });
  return rows;
}

export function formatOwned(rows: OwnedRow[]): string {
  if (!rows.length) return 'virtbench owns nothing on this host.\n';
  const table = [['KEY', 'KIND', 'METHOD', 'NAME', 'RUN', 'CREATED', 'OWNER', 'STATE']];
  for (const { record: r, orphaned } of rows) {
    table.push([r.key, r.kind, r.method ?? '-', r.name, r.runId ?? '-', r.createdAt.replace(/\.\d+Z$/, 'Z'), String(r.ownerPid), orphaned ? 'orphaned' : 'owner running']);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

interface GuestsArgs extends HostArgs {
  debug: boolean;
  action: 'list' | 'destroy';
  keys: string[];
  allOrphaned: boolean;
  force: boolean;
  json: boolean;
}

export const guestsCommand: CommandModule<{ debug: boolean }, GuestsArgs> = {
  command: 'guests <action> [keys..]',
  describe: 'list what virtbench owns on this host, or destroy leftovers of a crashed run',
  builder: (y) =>
    withHostOptions(y)
      .positional('action', { choices: ['list', 'destroy'] as const, demandOption: true })
      .positional('keys', { type: 'string', array: true, default: [], describe: 'record keys to destroy (see guests list)' })
      .option('all-orphaned', { type: 'boolean', default: false, describe: 'destroy everything whose owning run is no longer running' })
      .option('force', { type: 'boolean', default: false, describe: 'also destroy named keys whose owning run is still running' })
      .option('json', { type: 'boolean', default: false, describe: 'list as JSON' })
      .example('$0 guests list', 'what the harness owns, with "orphaned" for crashed runs')
      .example('$0 guests destroy --all-orphaned', 'clean up after a crashed run')
      .example('$0 guests list --suite lab.yaml --host lab', 'what virtbench owns on the lab host of a suite') as never,
  handler: async (args) => {
    const host = await openHostArg(args);
    try {
      await guestsOn(host, args);
    } finally {
      await host.close();
    }
  },
};

async function guestsOn(host: CommandHost, args: GuestsArgs): Promise<void> {
  const rows = await ownedRows(host);
  if (args.action === 'list') {
    process.stdout.write(args.json ? JSON.stringify(rows.map((r) => ({ ...r.record, orphaned: r.orphaned })), null, 2) + '\n' : formatOwned(rows));
    return;
  }
  if (!args.allOrphaned && args.keys.length === 0) throw new InputError('GUESTS_NOTHING', 'guests destroy: name record keys or give --all-orphaned', { hint: 'see: virtbench guests list' });
  const chosen: OwnedRow[] = [];
  for (const key of args.keys) {
    const row = rows.find((r) => r.record.key === key);
    if (!row) throw new InputError('GUESTS_UNKNOWN_KEY', `no ownership record with key ${JSON.stringify(key)}`, { hint: 'see: virtbench guests list', location: { field: 'keys' } });
    if (!row.orphaned && !args.force) throw new InputError('GUESTS_OWNER_RUNNING', `${key} belongs to running process ${row.record.ownerPid}`, { hint: 'stop that run first, or add --force' });
    chosen.push(row);
  }
  if (args.allOrphaned) for (const row of rows) if (row.orphaned && !chosen.includes(row)) chosen.push(row);
  // Guests first, so their bridges are unused when their turn comes.
  chosen.sort((a, b) => (a.record.kind === b.record.kind ? 0 : a.record.kind === 'guest' ? -1 : 1));
  let failed = 0;
  for (const { record } of chosen) {
    if (!(await listOwned(host)).some((r) => r.key === record.key)) {
      process.stdout.write(`${record.key}: already removed (with its last guest)\n`);
      continue;
    }
    try {
      process.stdout.write(`${record.key}: ${await destroyOwned(record, { host, progress: stderrProgress })}\n`);
    } catch (e) {
      failed++;
      process.stderr.write(`${record.key}: ${isVirtbenchError(e) ? e.describe() : (e as Error).message}\n`);
    }
  }
  if (!chosen.length) process.stdout.write('nothing orphaned to destroy.\n');
  if (failed) process.exitCode = 2;
}
