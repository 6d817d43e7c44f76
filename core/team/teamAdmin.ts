/**
 * Joining, leaving and describing a team store: the one implementation behind `vigil team init|join|status|leave`
 * and Settings → Team in the app. The store's keys are read from a secret store by name (the OS keychain in the app,
 * the data folder's secret file for `vigil`); they never pass through team.json or a command line.
 */
import { randomUUID } from 'node:crypto';
import type { EgressPolicy } from '../net/egress';
import type { SecretStore } from '../secrets/secretStore';
import { Outbox } from './outbox';
import {
  DEFAULT_ACCESS_KEY_SECRET,
  DEFAULT_SECRET_KEY_SECRET,
  formatEndpoint,
  parseTeamConfig,
  readTeamConfig,
  removeTeamConfig,
  teamEndpoint,
  teamStorageOptions,
  writeTeamConfig,
  type TeamConfig,
} from './teamConfig';
import type { TeamLink, TeamLinkStatus } from './teamLink';
import { TeamStore } from './teamStore';
import { describeTeamState, readTeamState } from './teamSync';

/** What `init` and `join` need; `create` makes the store's table when it is not there yet (init). */
export interface JoinRequest {
  uri: string;
  analyst: string;
  endpoint?: string;
  region?: string;
  accessKeySecret?: string;
  secretKeySecret?: string;
  create: boolean;
}

/** What joining did: the saved settings and the one endpoint the firewall must allow (null: a shared folder). */
export interface JoinResult {
  config: TeamConfig;
  endpoint: string | null;
}

/**
 * Checks the settings, allows exactly the endpoint (host and port) on the egress policy and checks it there
 * (LanceDB's native client does not pass the in-process guard, so this check is the guard for it; offline mode
 * refuses it), and that the store answers with these keys, then saves team.json. Nothing is saved, and the endpoint
 * is not left allowed, when any of that fails, so a wrong URI, endpoint or key is reported at once.
 */
export async function joinTeam(
  dataDir: string,
  request: JoinRequest,
  secrets: SecretStore,
  egress?: Pick<EgressPolicy, 'checkEndpoint' | 'allowEndpoint' | 'disallowEndpoint' | 'allowsEndpoint'>,
): Promise<JoinResult> {
  const s3 = request.uri.startsWith('s3://');
  const existing = await readTeamConfig(dataDir);
  const config: TeamConfig = {
    version: 1,
    uri: request.uri,
    analyst: request.analyst,
    joinedAt: new Date().toISOString(),
    // Kept on a re-join of the same store, so this copy's earlier writes stay its own.
    writer: (existing?.uri === request.uri ? existing.writer : undefined) ?? randomUUID(),
    ...(request.endpoint ? { endpoint: request.endpoint } : {}),
    ...(request.region ? { region: request.region } : {}),
    ...(s3 ? { accessKeySecret: request.accessKeySecret || DEFAULT_ACCESS_KEY_SECRET, secretKeySecret: request.secretKeySecret || DEFAULT_SECRET_KEY_SECRET } : {}),
  };
  if (existing !== null && existing.uri !== request.uri) throw new Error(`This data folder is already in the team store ${existing.uri}; leave it first.`);
  // Validate before reaching anything: a bad field is named, not reported as an unreachable store.
  // Joining the same store again keeps the record of the one merge allowed.
  const parsed = parseTeamConfig(existing?.mergedAt ? { ...config, mergedAt: existing.mergedAt } : config);
  const endpoint = teamEndpoint(parsed);
  const wasAllowed = endpoint !== null && egress !== undefined && egress.allowsEndpoint(endpoint.host, endpoint.port);
  try {
    if (endpoint !== null && egress !== undefined) {
      egress.allowEndpoint(endpoint.host, endpoint.port);
      const decision = egress.checkEndpoint(endpoint.host, endpoint.port);
      if (!decision.allowed) throw new Error(`The team store's endpoint ${formatEndpoint(endpoint)} is not allowed: ${decision.reason}.`);
    }
    await TeamStore.open(parsed.uri, await teamStorageOptions(parsed, secrets), request.create);
    await writeTeamConfig(dataDir, parsed);
  } catch (error) {
    if (endpoint !== null && !wasAllowed) egress?.disallowEndpoint(endpoint.host, endpoint.port);
    throw error;
  }
  return { config: parsed, endpoint: endpoint ? formatEndpoint(endpoint) : null };
}

/**
 * Merges the folder's personal knowledge into its team store, once (`vigil team join --merge`, Settings → Team):
 * every entry is queued as the analyst's, with provenance (TeamLink.mergePersonal), and team.json records when.
 * A second merge is refused; a merge interrupted before that record is run again without storing anything twice.
 */
export async function mergeIntoTeam(dataDir: string, link: Pick<TeamLink, 'mergePersonal'>, now: Date = new Date()): Promise<number> {
  const config = await readTeamConfig(dataDir);
  if (config === null) throw new Error('This data folder is not in a team store; join one before merging.');
  if (config.mergedAt !== undefined) throw new Error(`This folder's knowledge was already merged into ${config.uri} on ${config.mergedAt}; a merge happens once.`);
  const queued = await link.mergePersonal();
  await writeTeamConfig(dataDir, { ...config, mergedAt: now.toISOString() });
  return queued;
}

/** What leaving did: the store left (null: the folder was personal) and the writes still in the outbox. */
export interface LeaveResult {
  left: TeamConfig | null;
  unsent: number;
}

/**
 * Takes the data folder out of its team store. Refuses while the analyst's own writes are not in the store yet,
 * unless `force`; the writes then stay in the outbox file, never deleted, and the local knowledge stays as it is.
 */
export async function leaveTeam(dataDir: string, force: boolean): Promise<LeaveResult> {
  const config = await readTeamConfig(dataDir);
  if (config === null) return { left: null, unsent: 0 };
  const unsent = (await new Outbox(dataDir).list()).length;
  if (unsent > 0 && !force) {
    throw new Error(`${unsent} of your writes are not in the team store yet; let the app sync, or leave anyway (they stay in this folder's outbox).`);
  }
  await removeTeamConfig(dataDir);
  return { left: config, unsent };
}

/** The data folder's team store and its last known state, without opening it; null for a personal folder. */
export async function readTeamOverview(dataDir: string): Promise<TeamLinkStatus | null> {
  const config = await readTeamConfig(dataDir);
  if (config === null) return null;
  const status = describeTeamState(await readTeamState(dataDir), (await new Outbox(dataDir).list()).length);
  const endpoint = teamEndpoint(config);
  return { ...status, uri: config.uri, analyst: config.analyst, endpoint: endpoint ? formatEndpoint(endpoint) : null };
}
