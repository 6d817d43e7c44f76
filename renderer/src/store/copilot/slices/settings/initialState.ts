import type { LlmOverview, LlmPullProgress, ModelsOverview, PacksOverview, PackSyncReport, PreferencesView } from '../../../../api/contractTypes';

/** What the Settings screen is waiting for in its packs section, so its buttons can say so. */
export type PacksBusy = 'loading' | 'installing' | 'removing' | 'trusting' | 'untrusting' | 'subscribing' | 'unsubscribing' | 'syncing';

/** What the models section is waiting for. */
export type ModelsBusy = 'loading' | 'choosing' | 'restarting';

/** The Settings screen: each section's data, what it is doing, and the last outcome in words. */
export interface SettingsState {
  preferences: PreferencesView | null;
  preferencesError: string | null;
  /** The analyst's home folder, written `~` in the folders the app shows (pathText.ts); null until known (paths in full). */
  homeFolder: string | null;
  savingPreferences: boolean;
  /** "Saved." after a save, so the analyst hears it took. */
  preferencesNotice: string | null;

  packs: PacksOverview | null;
  packsError: string | null;
  packsBusy: PacksBusy | null;
  /** The last pack action's outcome in words (installed, removed, trusted...). */
  packsNotice: string | null;
  syncReports: PackSyncReport[] | null;

  models: ModelsOverview | null;
  modelsError: string | null;
  modelsBusy: ModelsBusy | null;
  modelsNotice: string | null;
  /** The engine's last word while the workspace reopens ("Re-indexing knowledge for …: 120/900"). */
  workspaceProgress: string | null;

  llm: LlmOverview | null;
  llmError: string | null;
  llmBusy: 'checking' | 'pulling' | null;
  /** How far the pull the analyst asked for is, while it runs. */
  llmPull: LlmPullProgress | null;
}

export const initialSettingsState: SettingsState = {
  preferences: null,
  preferencesError: null,
  homeFolder: null,
  savingPreferences: false,
  preferencesNotice: null,
  packs: null,
  packsError: null,
  packsBusy: null,
  packsNotice: null,
  syncReports: null,
  models: null,
  modelsError: null,
  modelsBusy: null,
  modelsNotice: null,
  workspaceProgress: null,
  llm: null,
  llmError: null,
  llmBusy: null,
  llmPull: null,
};
