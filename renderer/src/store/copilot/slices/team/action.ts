import type { StateCreator } from 'zustand/vanilla';
import type { JoinTeamRequest } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialTeamState, type TeamState } from './initialState';

/** What Settings → Team can ask for; the rules (the URI, the endpoint, the keys) are checked in the main process. */
export interface TeamAction {
  loadTeam(): Promise<void>;
  /** Creates or joins a team store; the keys go to the keychain, never back to the page. */
  joinTeam(request: JoinTeamRequest): Promise<void>;
  /** Leaves the team store; `force` leaves with unsent writes (they stay in the outbox file). */
  leaveTeam(force: boolean): Promise<void>;
  syncTeam(): Promise<void>;
}

export type TeamSlice = TeamState & TeamAction;

export function createTeamSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], TeamSlice> {
  return (set, get) => {
    const run = async (busy: NonNullable<TeamState['teamBusy']>, call: () => Promise<Partial<TeamState>>): Promise<void> => {
      if (get().teamBusy) return;
      set({ teamBusy: busy, teamError: null, teamNotice: null });
      try {
        set(await call());
      } catch (error) {
        set({ teamError: errorMessage(error) });
      } finally {
        set({ teamBusy: null });
      }
    };
    return {
      ...initialTeamState,
      async loadTeam() {
        try {
          set({ team: await api().teamOverview() });
        } catch (error) {
          set({ teamError: errorMessage(error) });
        }
      },
      joinTeam: (request) =>
        run('joining', async () => {
          const { team, merged } = await api().joinTeam(request);
          const mergedWords = merged === null ? '' : ` This folder’s ${merged} entries were shared with the team.`;
          return { team, teamNotice: `${request.mode === 'init' ? 'Created and joined' : 'Joined'} the team store as ${request.analyst.trim()}.${mergedWords}` };
        }),
      leaveTeam: (force) =>
        run('leaving', async () => {
          const { left, unsent } = await api().leaveTeam({ force });
          const kept = unsent > 0 ? ` Your ${unsent} unsent write(s) stay in this folder’s outbox.` : '';
          return { team: null, teamNotice: left ? `Left the team store ${left}; this folder’s knowledge stays as it is.${kept}` : 'This data folder is not in a team store.' };
        }),
      syncTeam: () => run('syncing', async () => ({ team: await api().syncTeam() })),
    };
  };
}
