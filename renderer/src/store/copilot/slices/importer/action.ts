import type { StateCreator } from 'zustand/vanilla';
import type { CsvField, KnowledgeImportResult } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialImporterState, type ImporterState } from './initialState';

/** What the Import panel can ask for. */
export interface ImporterAction {
  /** Opens the Import panel on its first step and loads the connected help centers. */
  openImport(): Promise<void>;
  /** Closes the panel; the last report stays in the store. */
  closeImport(): void;
  /**
   * Lets the main process ask for a file or folder. A CSV file goes to the mapping step (its columns shown, the
   * suggested mapping chosen); anything else is imported at once.
   */
  chooseImportSource(what: 'file' | 'folder'): Promise<void>;
  /** Chooses the column for a field of a CSV file, or none (`null`). */
  setImportColumn(field: CsvField, column: string | null): void;
  /** Imports the chosen source (a CSV file with the chosen mapping, checked first). */
  runImport(): Promise<void>;
  /** Imports the published articles of a connected helpdesk's help center. */
  importHelpCenter(connectorId: string): Promise<void>;
  /** Takes an `import-progress` desk event (entries stored so far). */
  takeImportProgress(progress: { source: string; imported: number }): void;
}

/** The importer slice: state plus actions. */
export type ImporterSlice = ImporterState & ImporterAction;

/** The importer slice, calling the engine through `api`. */
export function createImporterSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], ImporterSlice> {
  return (set, get) => {
    /** Runs one import; afterwards the header's counts and any shown results are refreshed, since both may have changed. */
    const importWith = async (source: string, run: () => Promise<KnowledgeImportResult>): Promise<void> => {
      if (get().importing) return;
      set({ importing: true, importStep: 'importing', importError: null, importProgress: { source, imported: 0 } });
      try {
        const result = await run();
        set({ importing: false, importStep: 'done', lastImport: result, importProgress: null });
      } catch (error) {
        // Back to where the analyst was, with the reason: a mapping to fix, or another source to choose.
        set({ importing: false, importStep: get().importSource?.format === 'csv' ? 'map' : 'choose', importError: errorMessage(error), importProgress: null });
        return;
      }
      await get().loadStatus();
      if (get().searchedQuery !== null) await get().search();
    };

    return {
      ...initialImporterState,
      async openImport() {
        if (get().importing) {
          set({ importOpen: true });
          return;
        }
        set({ importOpen: true, importStep: 'choose', importSource: null, importMapping: {}, importError: null });
        try {
          set({ helpCenters: await api().helpCenters() });
        } catch (error) {
          // The files and folders still import; the help-center list says why it is empty.
          set({ helpCenters: [], importError: errorMessage(error) });
        }
      },
      closeImport() {
        if (get().importing) return;
        set({ importOpen: false, importStep: 'choose', importSource: null, importMapping: {}, importError: null });
      },
      async chooseImportSource(what) {
        if (get().importing) return;
        set({ importError: null });
        let source;
        try {
          source = await api().chooseImportSource({ what });
        } catch (error) {
          set({ importError: errorMessage(error) });
          return;
        }
        // `null`: the analyst cancelled the dialog; stay where they were.
        if (!source) return;
        set({ importSource: source, importMapping: source.suggestedMapping });
        if (source.format === 'csv') {
          set({ importStep: 'map' });
          return;
        }
        await get().runImport();
      },
      setImportColumn(field, column) {
        const mapping = { ...get().importMapping };
        if (column === null) delete mapping[field];
        else mapping[field] = column;
        set({ importMapping: mapping, importError: null });
      },
      async runImport() {
        const source = get().importSource;
        if (!source) return;
        // A mapping the file's header does not have is refused by the main process, naming the column.
        const mapping = get().importMapping;
        await importWith(source.name, () => api().importKnowledge(source.format === 'csv' ? { sourceId: source.sourceId, mapping } : { sourceId: source.sourceId }));
      },
      async importHelpCenter(connectorId) {
        const center = get().helpCenters?.find((c) => c.id === connectorId);
        set({ importSource: null });
        await importWith(center ? `${center.vendor} (${connectorId})` : connectorId, () => api().importHelpCenter({ connectorId }));
      },
      takeImportProgress(progress) {
        if (get().importing) set({ importProgress: progress });
      },
    };
  };
}
