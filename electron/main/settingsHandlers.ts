/**
 * The Settings screen's contract methods: the analyst's preferences (kept by the main process), knowledge
 * packs (the workspace's `packs`, core/packs/packViews.ts), the local LLM (its `llm`), and the embedding model (the data folder's settings).
 * Like engineHandlers.ts these are thin hops with no Electron runtime import; files and folders come from the
 * injected pickers (native dialogs in the app, scripted in the browser tests), never from the renderer.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { homedir } from 'node:os';
import { chooseModel, describeModels, runsChoice, type CatalogContext } from '../../core/embed/modelCatalog';
import type { ServiceStatus } from '../../core/app/serviceTypes';
import type { LlmPullProgress } from '../../core/app/settingsTypes';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { PreferencesStore } from './preferencesStore';
import type { ServiceHost } from './serviceHost';

/** Asks the analyst for a file or folder in the main process; `null` when they cancel. */
export type PathPicker = (event: IpcMainInvokeEvent) => Promise<string | null>;

/** The contract methods this file answers. */
export type SettingsMethod = keyof ReturnType<typeof createSettingsHandlers>;

export interface SettingsDependencies {
  preferences: PreferencesStore;
  /** The team's data folder the host opens (its settings.json holds the embedder choice). */
  dataDir: string;
  /** Where model files and extra manifests are (models/README.md); the per-user models folder by default. */
  models?: CatalogContext;
  pickPackFile: PathPicker;
  pickKeyFile: PathPicker;
  pickPackFolder: PathPicker;
  /** Hears how far a pull of the local model is (the app pushes it to its windows). */
  onLlmPullProgress?: (progress: LlmPullProgress) => void;
  /** The analyst's home folder, which the app writes as `~`; the account's (`os.homedir()`) unless given. */
  home?: string;
}

/** The handlers of the Settings screen's methods. */
export function createSettingsHandlers(host: ServiceHost, deps: SettingsDependencies) {
  const models = deps.models ?? {};
  /** The running engine's status, or null when it cannot be opened (the models section must still work then). */
  const runningStatus = (): Promise<ServiceStatus | null> => host.use((w) => w.service.status()).catch(() => null);
  return ipcHandlerGroup({
    getPreferences: async () => deps.preferences.view(),
    homeFolder: async () => deps.home ?? homedir(),
    setPreferences: (request) => deps.preferences.update(request),
    packsOverview: () => host.use((w) => w.packs.overview()),
    installPack: async (_request, event) => {
      const file = await deps.pickPackFile(event);
      if (file === null) return null;
      return host.use((w) => w.packs.install(file));
    },
    removePack: ({ name }) => host.use((w) => w.packs.remove(name)),
    trustKey: async ({ name }, event) => {
      const file = await deps.pickKeyFile(event);
      if (file === null) return null;
      return host.use((w) => w.packs.trustKeyFile(file, name));
    },
    untrustKey: ({ id }) => host.use((w) => w.packs.untrustKey(id)),
    subscribePacks: async ({ packs }, event) => {
      const folder = await deps.pickPackFolder(event);
      if (folder === null) return null;
      return host.use((w) => w.packs.subscribe(folder, packs));
    },
    unsubscribePacks: ({ folder }) =>
      host.use(async (w) => {
        // The folder names one of the listed subscriptions; nothing is read from it, and any other is refused.
        const known = (await w.packs.overview()).subscriptions;
        if (!known.some((s) => s.folder === folder)) {
          throw new Error(`folder: there is no subscription to ${folder}; reload the settings to see the folders subscribed to.`);
        }
        await w.packs.unsubscribe(folder);
        return (await w.packs.overview()).subscriptions;
      }),
    syncPacks: () => host.use((w) => w.packs.sync()),
    modelsOverview: async () => {
      const [catalog, status] = await Promise.all([describeModels(deps.dataDir, models), runningStatus()]);
      return {
        ...catalog,
        running: status ? { embedderId: status.embedderId, dimensions: status.dimensions } : null,
        restartNeeded: status ? !runsChoice(status.embedderId, catalog.choice) : true,
      };
    },
    useModel: async ({ id }) => {
      const chosen = await chooseModel(deps.dataDir, id, models);
      const status = await runningStatus();
      return { ...chosen, restartNeeded: status ? status.embedderId !== chosen.embedderId : true };
    },
    restartWorkspace: async () => {
      await host.restart();
      // The engine re-indexes in the background (the current index answers meanwhile); the Settings screen
      // waits for the switch, hearing its progress as `workspace-progress` events.
      const reindex = await host.use((w) => w.service.waitForReindex());
      if (reindex?.state === 'failed') {
        throw new Error(`Re-indexing with ${reindex.toEmbedderId} failed (${reindex.error ?? 'no reason given'}); Vigil keeps using ${reindex.fromEmbedderId}.`);
      }
      return host.use((w) => w.service.status());
    },
    llmOverview: () => host.use((w) => w.llm.overview()),
    pullLlmModel: () => host.use((w) => w.llm.pull((p) => deps.onLlmPullProgress?.({ status: p.status, fraction: p.fraction }))),
    recheckLlm: () => host.use((w) => w.llm.recheck()),
  });
}
