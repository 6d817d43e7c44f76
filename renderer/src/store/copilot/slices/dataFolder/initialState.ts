import type { DataFolderChoiceView } from '../../../../api/contractTypes';

/** Settings → Team data folder: where the team's data is, and a switch under way. */
export interface DataFolderState {
  dataFolder: DataFolderChoiceView | null;
  dataFolderError: string | null;
  /** What the section waits for, so its buttons say so and are not pressed twice. */
  dataFolderBusy: 'loading' | 'choosing' | 'default' | null;
  /** The last switch's outcome in words. */
  dataFolderNotice: string | null;
  /** True once Vigil is restarting on another folder: the window is about to close. */
  dataFolderRestarting: boolean;
}

export const initialDataFolderState: DataFolderState = {
  dataFolder: null,
  dataFolderError: null,
  dataFolderBusy: null,
  dataFolderNotice: null,
  dataFolderRestarting: false,
};
