/**
 * `vigil team init|join|status|leave`: links the data folder to the team's shared knowledge store (core/team).
 * The store's keys are read from the secret store by name (`vigil secrets set team-store-access-key`), never given
 * on the command line, where they would stay in the shell's history.
 */
import { parseArgs } from 'node:util';
import { appDataDir } from '../formats/dataDir';
import { errorMessage } from '../formats/errorMessage';
import { FileSecretStore } from '../secrets/fileSecretStore';
import { joinTeam, leaveTeam, mergeIntoTeam, readTeamOverview } from '../team/teamAdmin';
import { openTeamLink } from '../team/teamLink';
import { withService } from './withService';
import { cliEgress } from './cliEgress';
import type { TeamStatus } from '../team/teamSync';

export const TEAM_USAGE = `  vigil team init|join URI --analyst NAME [--endpoint URL --region R] [--access-key-secret NAME]
               [--secret-key-secret NAME] [--merge] [--data-dir DIR]   URI: s3://bucket/prefix or /shared/folder
               --merge: share this folder's existing knowledge with the team, once (docs/team.md)
  vigil team status [--json] [--data-dir DIR]   ·   vigil team leave [--force] [--data-dir DIR]`;

type Out = { log: (line: string) => void; error: (line: string) => void };

/** A mistake in the command line: printed with the usage, exit code 2. */
export class TeamUsageError extends Error {}

/** One line for the team store's state: in sync, behind by N, offline since T. */
export function describeTeamStatus(status: TeamStatus): string {
  const waiting = status.pending > 0 ? `; ${status.pending} of your writes waiting to be sent` : '';
  switch (status.state) {
    case 'offline':
      return `offline since ${status.offlineSince ?? '?'}${waiting} (last error: ${status.lastError ?? 'none'})`;
    case 'never-synced':
      return `not synced yet${waiting}`;
    case 'behind':
      return `behind by ${status.behindBy} version(s)${waiting}; last synced ${status.lastSyncAt ?? '?'}`;
    default:
      return `in sync (last synced ${status.lastSyncAt ?? '?'})`;
  }
}

/** Runs `vigil team …` and returns the exit code. */
export async function teamCommand(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        analyst: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        'access-key-secret': { type: 'string' },
        'secret-key-secret': { type: 'string' },
        json: { type: 'boolean' },
        force: { type: 'boolean' },
        merge: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new TeamUsageError(errorMessage(err));
  }
  const { values, positionals } = parsed;
  const dataDir = values['data-dir'] ?? appDataDir();
  const secrets = new FileSecretStore(dataDir);

  if (sub === 'init' || sub === 'join') {
    const uri = positionals[0];
    if (uri === undefined || positionals.length > 1) throw new TeamUsageError(`team ${sub} needs one URI (s3://bucket/prefix or /shared/folder)`);
    if (values.analyst === undefined) throw new TeamUsageError(`team ${sub} needs --analyst NAME: it names you in each entry's provenance`);
    const { config, endpoint } = await joinTeam(
      dataDir,
      {
        uri,
        analyst: values.analyst,
        create: sub === 'init',
        ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
        ...(values.region !== undefined ? { region: values.region } : {}),
        ...(values['access-key-secret'] !== undefined ? { accessKeySecret: values['access-key-secret'] } : {}),
        ...(values['secret-key-secret'] !== undefined ? { secretKeySecret: values['secret-key-secret'] } : {}),
      },
      secrets,
      cliEgress()?.policy,
    );
    out.log(`${sub === 'init' ? 'created and joined' : 'joined'} the team store ${uri} as ${config.analyst}`);
    if (values.merge) {
      const merged = await withService(dataDir, out, async (service) => {
        const policy = cliEgress()?.policy;
        const link = await openTeamLink(dataDir, service, { secrets, syncEveryMs: 0, ...(policy ? { egress: policy } : {}) });
        if (link === null) throw new Error(`${dataDir} lost its team settings while merging`);
        try {
          const queued = await mergeIntoTeam(dataDir, link);
          const round = await link.syncOnce();
          return { queued, sent: round.online };
        } finally {
          await link.close();
        }
      });
      out.log(`merged this folder's ${merged.queued} entries into the team store as ${config.analyst}${merged.sent ? '' : ' (queued: the store is unreachable now; they are sent at the next sync)'}`);
    }
    if (endpoint !== null) out.log(`the team store's one network endpoint is ${endpoint}; allow exactly this host and port in your firewall (docs/team.md)`);
    return 0;
  }

  if (sub === 'status') {
    const overview = await readTeamOverview(dataDir);
    if (overview === null) {
      out.log(values.json ? JSON.stringify({ team: null }) : 'personal data folder (not in a team store)');
      return 0;
    }
    const { uri, analyst, endpoint, ...status } = overview;
    if (values.json) out.log(JSON.stringify({ team: { uri, analyst, endpoint }, ...status }));
    else out.log(`team store ${uri} as ${analyst}: ${describeTeamStatus(status)}`);
    return 0;
  }

  if (sub === 'leave') {
    const { left, unsent } = await leaveTeam(dataDir, values.force === true);
    if (left === null) {
      out.log('this data folder is not in a team store');
      return 0;
    }
    out.log(`left the team store ${left.uri}; this folder's knowledge stays as it is${unsent > 0 ? `, and its ${unsent} unsent write(s) stay in team-outbox.jsonl` : ''}`);
    return 0;
  }
  throw new TeamUsageError(`unknown team command "${sub ?? ''}" (use init, join, status or leave)`);
}
