/**
 * Settings → Team: the team store's state (in sync, behind by N, offline since T), joining or creating one, a
 * sync now, and leaving (docs/team.md). The same core code as `vigil team` (core/team/teamAdmin.ts); the store's
 * keys the admin types go to the keychain-backed secret store from here and are never sent back to the page.
 *
 * The egress policy allows exactly the store's endpoint (host and port) while the data folder is in the team: LanceDB's
 * object-store client is native code the in-process guard does not see, so joining checks the endpoint against
 * the policy before the client opens, and the workspace's link asks the policy again before every round.
 * Joining and leaving restart the workspace, which opens (or drops) the link; joining can merge the personal
 * folder's knowledge once, as `vigil team join --merge` does. No Electron runtime import.
 */
import type { EgressPolicy } from '../../core/net/egress';
import type { SecretStore } from '../../core/secrets/secretStore';
import { joinTeam, leaveTeam, mergeIntoTeam, readTeamOverview } from '../../core/team/teamAdmin';
import { DEFAULT_ACCESS_KEY_SECRET, DEFAULT_SECRET_KEY_SECRET, readTeamConfig, teamEndpoint } from '../../core/team/teamConfig';
import type { JoinTeamResult, LeaveTeamResult, TeamLinkStatus } from '../../core/team/teamLink';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';

/** The contract methods this file answers. */
export type TeamMethod = keyof ReturnType<typeof createTeamHandlers>;

export interface TeamDependencies {
  /** The team's data folder the host opens. */
  dataDir: string;
  /** Where the store's keys are kept: the OS keychain through safeStorage in the app. */
  secrets: SecretStore;
  /** The process's guarded egress policy. */
  egress: Pick<EgressPolicy, 'checkEndpoint' | 'allowEndpoint' | 'disallowEndpoint' | 'allowsEndpoint'>;
}

/** A secret store that answers `overlay` first: the keys just typed, tried before they are saved. */
function withKeys(secrets: SecretStore, overlay: ReadonlyMap<string, string>): SecretStore {
  return { get: async (name) => overlay.get(name) ?? secrets.get(name), set: (n, v) => secrets.set(n, v), delete: (n) => secrets.delete(n), list: () => secrets.list() };
}

/** The handlers of Settings → Team, backed by the workspace in `host`. */
export function createTeamHandlers(host: ServiceHost, deps: TeamDependencies) {
  const overview = (): Promise<TeamLinkStatus | null> => host.use(async (w) => (w.team ? w.team.status() : readTeamOverview(deps.dataDir)));
  return ipcHandlerGroup({
    teamOverview: overview,
    syncTeam: () =>
      host.use(async (w) => {
        if (!w.team) return readTeamOverview(deps.dataDir);
        await w.team.syncOnce();
        return w.team.status();
      }),
    joinTeam: async ({ mode, uri, analyst, endpoint, region, accessKey, secretKey, merge }): Promise<JoinTeamResult> => {
      const keys = new Map<string, string>();
      if (accessKey) keys.set(DEFAULT_ACCESS_KEY_SECRET, accessKey);
      if (secretKey) keys.set(DEFAULT_SECRET_KEY_SECRET, secretKey);
      // joinTeam allows exactly the endpoint on the policy, checks it, and takes it back if joining fails.
      await joinTeam(
        deps.dataDir,
        { uri, analyst, create: mode === 'init', ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) },
        withKeys(deps.secrets, keys),
        deps.egress,
      );
      // The store answered with these keys: now they go to the keychain.
      for (const [name, value] of keys) await deps.secrets.set(name, value);
      await host.restart();
      // The personal folder's knowledge, once, as the analyst's (the same step as `vigil team join --merge`).
      const merged = merge
        ? await host.use(async (w) => {
            if (!w.team) throw new Error('The workspace did not link to the team store; see Settings → Team store.');
            const queued = await mergeIntoTeam(deps.dataDir, w.team);
            await w.team.syncOnce();
            return queued;
          })
        : null;
      return { team: await overview(), merged };
    },
    leaveTeam: async ({ force }): Promise<LeaveTeamResult> => {
      const config = await readTeamConfig(deps.dataDir);
      // The workspace's link is closed first, so its last round cannot race the leaving.
      let result: LeaveTeamResult = { left: null, unsent: 0 };
      await host.restart(async () => {
        const { left, unsent } = await leaveTeam(deps.dataDir, force === true);
        result = { left: left?.uri ?? null, unsent };
      });
      const endpoint = config ? teamEndpoint(config) : null;
      if (result.left !== null && endpoint !== null) deps.egress.disallowEndpoint(endpoint.host, endpoint.port);
      return result;
    },
  });
}
