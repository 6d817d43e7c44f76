/**
 * The Import button in the header: opens the Import panel on the Knowledge screen, where the analyst chooses a file,
 * a folder of articles or a connected help center. Files are chosen in the main process's native dialog, so the
 * page never handles paths.
 */
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';

/** Opens the Import panel (on the Knowledge screen); says "Importing…" while an import runs. */
export function ImportButton() {
  const importing = useCopilotStore((state) => state.importing);
  const openImport = useCopilotStore((state) => state.openImport);
  const setView = useCopilotStore((state) => state.setView);

  return (
    <button
      type="button"
      className="import-button"
      aria-label="Import knowledge: entries, a spreadsheet export, articles or a help center"
      onClick={() => {
        setView('knowledge');
        void openImport();
      }}
    >
      {importing ? 'Importing…' : 'Import knowledge…'}
    </button>
  );
}
