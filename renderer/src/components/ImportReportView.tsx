/**
 * What the last import did, with the first skipped lines named so the analyst can fix the file.
 */
import { useMemo } from 'react';
import { importerSelectors, listedIssues } from '../store/copilot/slices/importer/selectors';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';

/** The report of the last import, or its error; nothing before the first import. */
export function ImportReportView() {
  const summary = useCopilotStore(importerSelectors.importSummary);
  const report = useCopilotStore((state) => state.lastImport);
  const error = useCopilotStore((state) => state.importError);
  const issues = useMemo(() => listedIssues(report), [report]);

  if (error) {
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  }
  if (!summary) return null;
  return (
    <section className="notice" aria-label="Import report" role="status">
      <p>{summary}</p>
      {issues.length > 0 && (
        <ul className="issues">
          {issues.map((issue) => (
            <li key={issue}>{issue}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
