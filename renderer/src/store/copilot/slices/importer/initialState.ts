import type { ImportReport } from '../../../../api/contractTypes';

/** The Import button and the report of the last import. */
export interface ImporterState {
  importing: boolean;
  lastImport: ImportReport | null;
  importError: string | null;
}

/** Nothing imported in this session yet. */
export const initialImporterState: ImporterState = {
  importing: false,
  lastImport: null,
  importError: null,
};
