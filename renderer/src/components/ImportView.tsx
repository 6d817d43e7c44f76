/**
 * The Import panel on the Knowledge screen: what `vigil kb import` takes, for the analyst. Choose a file (JSON Lines
 * or a JSON array of entries, a CSV export, one article), a folder of Markdown, HTML or text articles, or a
 * connected helpdesk's help center; for a CSV file, say which column holds the question, title, answer and tags;
 * then watch the import run and read what was imported and what was skipped, counted by reason.
 */
import { useId, useMemo } from 'react';
import type { CsvField } from '../api/contractTypes';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { importSummary, listedIssues, progressText, skippedReasons } from '../store/copilot/slices/importer/selectors';

/** The fields a CSV column can fill, as the mapping step names them. */
const CSV_FIELD_LABELS: ReadonlyArray<{ field: CsvField; label: string }> = [
  { field: 'question', label: 'Question' },
  { field: 'title', label: 'Title' },
  { field: 'body', label: 'Answer (body, needed)' },
  { field: 'tags', label: 'Tags' },
];

/** The Import panel, while it is open. */
export function ImportView() {
  const open = useCopilotStore((state) => state.importOpen);
  const step = useCopilotStore((state) => state.importStep);
  const error = useCopilotStore((state) => state.importError);
  const importing = useCopilotStore((state) => state.importing);
  const closeImport = useCopilotStore((state) => state.closeImport);

  if (!open) return null;
  return (
    <section className="import-panel" aria-label="Import knowledge">
      <div className="import-panel-head">
        <h2>Import knowledge</h2>
        <button type="button" onClick={closeImport} disabled={importing}>
          Close
        </button>
      </div>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {step === 'choose' && <ChooseStep />}
      {step === 'map' && <MappingStep />}
      {step === 'importing' && <ProgressStep />}
      {step === 'done' && <ReportStep />}
    </section>
  );
}

/** What to import: a file, a folder of articles, or a connected help center. */
function ChooseStep() {
  const choose = useCopilotStore((state) => state.chooseImportSource);
  const helpCenters = useCopilotStore((state) => state.helpCenters);
  const importHelpCenter = useCopilotStore((state) => state.importHelpCenter);

  return (
    <div className="import-choices">
      <div className="import-choice">
        <button type="button" onClick={() => void choose('file')}>
          Choose a file…
        </button>
        <p>Entries as JSON Lines or a JSON array, a spreadsheet export as CSV (you choose its columns next), or one Markdown, HTML or text article.</p>
      </div>
      <div className="import-choice">
        <button type="button" onClick={() => void choose('folder')}>
          Choose a folder of articles…
        </button>
        <p>Every Markdown, HTML or text file becomes one article, titled from its heading; other files are skipped and counted.</p>
      </div>
      <div className="import-choice" role="group" aria-label="Help centers">
        <h3>From a help center</h3>
        {helpCenters === null ? (
          <p>Looking for connected helpdesks…</p>
        ) : helpCenters.length === 0 ? (
          <p>No Zendesk, Freshdesk or Zammad helpdesk is connected. Add one in Settings → Connectors to import its help center’s published articles.</p>
        ) : (
          <ul className="import-help-centers">
            {helpCenters.map((center) => (
              <li key={center.id}>
                <button type="button" onClick={() => void importHelpCenter(center.id)}>
                  Import {center.vendor} ({center.id})
                </button>
                <span className="import-meta">{center.baseUrl}, published articles only, read-only</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** A CSV file's columns: which one holds each field. */
function MappingStep() {
  const source = useCopilotStore((state) => state.importSource);
  const mapping = useCopilotStore((state) => state.importMapping);
  const setColumn = useCopilotStore((state) => state.setImportColumn);
  const runImport = useCopilotStore((state) => state.runImport);
  const openImport = useCopilotStore((state) => state.openImport);
  const baseId = useId();

  if (!source) return null;
  const columns = source.columns ?? [];
  return (
    <form
      className="import-mapping"
      aria-label={`Columns of ${source.name}`}
      onSubmit={(event) => {
        event.preventDefault();
        void runImport();
      }}
    >
      <p>
        {source.name} has {columns.length} {columns.length === 1 ? 'column' : 'columns'}: {columns.join(', ')}. Choose the column that holds each field; the answer is needed, the rest are optional.
      </p>
      {CSV_FIELD_LABELS.map(({ field, label }) => (
        <div key={field} className="import-mapping-field">
          <label htmlFor={`${baseId}-${field}`}>{label}</label>
          <select id={`${baseId}-${field}`} value={mapping[field] ?? ''} onChange={(event) => setColumn(field, event.target.value === '' ? null : event.target.value)}>
            <option value="">(none)</option>
            {columns.map((column) => (
              <option key={column} value={column}>
                {column}
              </option>
            ))}
          </select>
        </div>
      ))}
      <div className="import-actions">
        <button type="submit">Import {source.name}</button>
        <button type="button" onClick={() => void openImport()}>
          Choose something else
        </button>
      </div>
    </form>
  );
}

/** The running import: what is imported and how many entries are stored so far. */
function ProgressStep() {
  const progress = useCopilotStore((state) => state.importProgress);
  return (
    <div className="import-progress" role="status" aria-label="Import progress" aria-busy="true">
      <progress aria-label="Importing" />
      <p>{progressText(progress)}</p>
    </div>
  );
}

/** What the import did: imported, skipped by reason, and the first skipped lines or files by name. */
function ReportStep() {
  const result = useCopilotStore((state) => state.lastImport);
  const openImport = useCopilotStore((state) => state.openImport);
  const closeImport = useCopilotStore((state) => state.closeImport);
  const reasons = useMemo(() => skippedReasons(result), [result]);
  const issues = useMemo(() => listedIssues(result), [result]);

  if (!result) return null;
  return (
    <div className="import-report" role="status" aria-label="Import report">
      <p>{importSummary(result)}</p>
      {reasons.length > 0 && (
        <ul aria-label="Skipped, by reason">
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      {issues.length > 0 && (
        <>
          <h3>First skipped</h3>
          <ul className="issues" aria-label="First skipped">
            {issues.map((issue, i) => (
              <li key={`${i}-${issue}`}>{issue}</li>
            ))}
          </ul>
          <p className="import-meta">Fix them in the source and import it again: entries already imported are replaced, not duplicated.</p>
        </>
      )}
      <div className="import-actions">
        <button type="button" onClick={() => void openImport()}>
          Import more…
        </button>
        <button type="button" onClick={closeImport}>
          Done
        </button>
      </div>
    </div>
  );
}
