import type { StateCreator } from 'zustand/vanilla';
import type { UiPreferences } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialSettingsState, type PacksBusy, type SettingsState } from './initialState';
import { describeInstall } from './selectors';

/** What the Settings screen can ask for. Files and folders are chosen in the main process's dialogs. */
export interface SettingsAction {
  loadPreferences(): Promise<void>;
  /** Learns the home folder, so the folders the app shows are written from `~` (loaded once, at start). */
  loadHomeFolder(): Promise<void>;
  savePreferences(preferences: UiPreferences): Promise<void>;
  loadPacks(): Promise<void>;
  installPack(): Promise<void>;
  removePack(name: string): Promise<void>;
  trustKey(name: string): Promise<void>;
  untrustKey(id: string): Promise<void>;
  subscribePacks(packs: string[]): Promise<void>;
  unsubscribePacks(folder: string): Promise<void>;
  syncPacks(): Promise<void>;
  loadModels(): Promise<void>;
  useModel(id: string): Promise<void>;
  /** Reopens the workspace with the chosen embedder (re-indexing); the header's status follows. */
  restartWorkspace(): Promise<void>;
  loadLlm(): Promise<void>;
  recheckLlm(): Promise<void>;
  /** Downloads the configured local model; progress arrives as desk events. */
  pullLlmModel(): Promise<void>;
}

export type SettingsSlice = SettingsState & SettingsAction;

export function createSettingsSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], SettingsSlice> {
  return (set, get) => {
    /**
     * Runs one pack action: marks the section busy, shows `notice(result)` (nothing when it returns null, as
     * for a cancelled dialog), reloads the lists, and keeps a failure's message on screen.
     */
    const packAction = async <T>(busy: PacksBusy, call: () => Promise<T>, notice: (result: T) => string | null): Promise<void> => {
      if (get().packsBusy && get().packsBusy !== 'loading') return;
      set({ packsBusy: busy, packsError: null, packsNotice: null });
      try {
        const result = await call();
        set({ packsNotice: notice(result) });
      } catch (error) {
        set({ packsError: errorMessage(error) });
      } finally {
        set({ packsBusy: null });
      }
      await get().loadPacks();
    };

    return {
      ...initialSettingsState,
      async loadHomeFolder() {
        // Only how paths are written depends on it: without it they are shown in full, which is no error to report.
        set({ homeFolder: await api().homeFolder().catch(() => null) });
      },
      async loadPreferences() {
        try {
          set({ preferences: await api().getPreferences(), preferencesError: null });
        } catch (error) {
          set({ preferencesError: errorMessage(error) });
        }
      },
      async savePreferences(preferences) {
        set({ savingPreferences: true, preferencesError: null, preferencesNotice: null });
        try {
          const view = await api().setPreferences(preferences);
          set({ preferences: view, preferencesNotice: view.shortcutProblem ? null : 'Notification settings saved.' });
        } catch (error) {
          set({ preferencesError: errorMessage(error) });
        } finally {
          set({ savingPreferences: false });
        }
      },
      async loadPacks() {
        try {
          const packs = await api().packsOverview();
          set({ packs });
        } catch (error) {
          set({ packsError: errorMessage(error) });
        }
      },
      installPack: () =>
        packAction('installing', () => api().installPack(), (report) => (report ? describeInstall(report) : null)).then(() => get().loadStatus()),
      removePack: (name) => packAction('removing', () => api().removePack({ name }), (gone) => `Removed ${gone.name} ${gone.version}; its entries have left search.`),
      trustKey: (name) =>
        packAction(
          'trusting',
          () => api().trustKey({ name }),
          (report) =>
            report === null
              ? null
              : report.added
                ? `Packs signed by key ${report.key.id} (${report.key.name}) can now be installed.`
                : `Key ${report.key.id} was already trusted, as ${report.key.name}.`,
        ),
      untrustKey: (id) =>
        packAction('untrusting', () => api().untrustKey({ id }), (key) => `Stopped trusting ${key.name} (${key.id}); packs it signed leave search until it is trusted again.`),
      subscribePacks: (packs) =>
        packAction(
          'subscribing',
          () => api().subscribePacks({ packs }),
          (s) => (s === null ? null : `Subscribed to ${s.packs.join(', ')} in ${s.folder}. Use "Sync now" to install what is there.`),
        ),
      unsubscribePacks: (folder) => packAction('unsubscribing', () => api().unsubscribePacks({ folder }), () => `Unsubscribed from ${folder}.`),
      async syncPacks() {
        await packAction(
          'syncing',
          async () => {
            const reports = await api().syncPacks();
            set({ syncReports: reports });
            return reports;
          },
          () => null,
        );
        await get().loadStatus();
      },
      async loadModels() {
        set({ modelsBusy: get().modelsBusy ?? 'loading' });
        try {
          set({ models: await api().modelsOverview(), modelsError: null });
        } catch (error) {
          set({ modelsError: errorMessage(error) });
        } finally {
          if (get().modelsBusy === 'loading') set({ modelsBusy: null });
        }
      },
      async useModel(id) {
        if (get().modelsBusy === 'choosing' || get().modelsBusy === 'restarting') return;
        set({ modelsBusy: 'choosing', modelsError: null, modelsNotice: null });
        try {
          const chosen = await api().useModel({ id });
          set({
            modelsNotice: chosen.restartNeeded
              ? `${chosen.choice} is now the data folder's embedder (index ${chosen.embedderId}, ${chosen.dimensions} dimensions). ` +
                'Vigil keeps using the current one until the workspace restarts and the knowledge is re-indexed with it.'
              : `${chosen.choice} is already the embedder in use; nothing to re-index.`,
          });
        } catch (error) {
          set({ modelsError: errorMessage(error) });
        } finally {
          set({ modelsBusy: null });
        }
        await get().loadModels();
      },
      async loadLlm() {
        try {
          set({ llm: await api().llmOverview(), llmError: null });
        } catch (error) {
          set({ llmError: errorMessage(error) });
        }
      },
      async recheckLlm() {
        if (get().llmBusy) return;
        set({ llmBusy: 'checking', llmError: null });
        try {
          await api().recheckLlm();
        } catch (error) {
          set({ llmError: errorMessage(error) });
        } finally {
          set({ llmBusy: null });
        }
        await Promise.all([get().loadLlm(), get().loadStatus()]);
      },
      async pullLlmModel() {
        if (get().llmBusy) return;
        set({ llmBusy: 'pulling', llmError: null, llmPull: { status: 'starting', fraction: null } });
        try {
          await api().pullLlmModel();
        } catch (error) {
          set({ llmError: errorMessage(error) });
        } finally {
          set({ llmBusy: null, llmPull: null });
        }
        await Promise.all([get().loadLlm(), get().loadStatus()]);
      },
      async restartWorkspace() {
        if (get().modelsBusy === 'restarting') return;
        set({ modelsBusy: 'restarting', modelsError: null, modelsNotice: null, workspaceProgress: null });
        try {
          const status = await api().restartWorkspace();
          set({ status, statusError: null, modelsNotice: `Re-indexed: Vigil now uses ${status.embedderId} (${status.dimensions} dimensions).` });
        } catch (error) {
          set({ modelsError: errorMessage(error) });
        } finally {
          set({ modelsBusy: null, workspaceProgress: null });
        }
        await Promise.all([get().loadModels(), get().loadPacks()]);
      },
    };
  };
}
