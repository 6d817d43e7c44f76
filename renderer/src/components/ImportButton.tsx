/**
 * The Import button. The file is chosen in the main process's native dialog, so the page never handles paths.
 */
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';

/** Starts an import of knowledge entries from a `.jsonl` file. */
export function ImportButton() {
  const importing = useCopilotStore((state) => state.importing);
  const importEntries = useCopilotStore((state) => state.importEntries);

  return (
    <button
      type="button"
      className="import-button"
      aria-label="Import knowledge: entries, a spreadsheet export or articles"
      disabled={importing}
      onClick={() => void importEntries()}
    >
      {importing ? 'Importing…' : 'Import knowledge…'}
    </button>
  );
}
