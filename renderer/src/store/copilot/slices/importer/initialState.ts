import type { CsvMapping, HelpCenterConnector, ImportSourceView, KnowledgeImportResult } from '../../../../api/contractTypes';

/** Where the Import panel is: choosing what to import, mapping a CSV file's columns, importing, or showing the report. */
export type ImportStep = 'choose' | 'map' | 'importing' | 'done';

/** The Import panel: what was chosen, how a CSV file's columns map, progress, and the report of the last import. */
export interface ImporterState {
  /** Whether the Import panel is open. */
  importOpen: boolean;
  importStep: ImportStep;
  /** The chosen file or folder (its path stays in the main process). */
  importSource: ImportSourceView | null;
  /** For a CSV file: which column holds each field. */
  importMapping: CsvMapping;
  /** The connected helpdesks with a help center; null until loaded. */
  helpCenters: HelpCenterConnector[] | null;
  importing: boolean;
  /** How far the running import is (from `import-progress` desk events). */
  importProgress: { source: string; imported: number } | null;
  lastImport: KnowledgeImportResult | null;
  importError: string | null;
}

/** Nothing imported in this session yet. */
export const initialImporterState: ImporterState = {
  importOpen: false,
  importStep: 'choose',
  importSource: null,
  importMapping: {},
  helpCenters: null,
  importing: false,
  importProgress: null,
  lastImport: null,
  importError: null,
};
