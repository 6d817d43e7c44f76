import type { TeamLinkStatus } from '../../../../api/contractTypes';

/** Settings → Team and the top bar: the team store this data folder is in, and a change under way. */
export interface TeamState {
  /** The store and its state; null: a personal data folder; undefined: not read yet. */
  team: TeamLinkStatus | null | undefined;
  teamError: string | null;
  /** What the section waits for, so its buttons say so and are not pressed twice. */
  teamBusy: 'joining' | 'leaving' | 'syncing' | null;
  /** The last change's outcome in words. */
  teamNotice: string | null;
}

export const initialTeamState: TeamState = { team: undefined, teamError: null, teamBusy: null, teamNotice: null };
