import type { ImportReport } from '../../../../api/contractTypes';
import type { CopilotState } from '../../store';

/** At most this many skipped lines are listed; the rest are counted, so a bad file cannot flood the screen. */
export const MAX_LISTED_ISSUES = 5;

type LineIssue = ImportReport['issues'][number];

/** Wording of the last import's report. */
export const importerSelectors = {
  importSummary(state: CopilotState): string {
    const report = state.lastImport;
    if (!report) return '';
    const file = report.file.split(/[\\/]/).pop() ?? report.file;
    const imported = `Imported ${report.imported} ${report.imported === 1 ? 'entry' : 'entries'} from ${file}.`;
    const skipped = report.issues.length;
    if (skipped === 0) return imported;
    return `${imported} ${skipped} ${skipped === 1 ? 'line was' : 'lines were'} skipped; fix ${skipped === 1 ? 'it' : 'them'} and import the file again.`;
  },
};

/**
 * The first skipped lines of a report, worded `Line 12, messages.0.author: …`. A plain function, not a
 * selector: it builds a new array, which zustand would take for a change on every render.
 */
export function listedIssues(report: ImportReport | null): string[] {
  if (!report) return [];
  const lines = report.issues.slice(0, MAX_LISTED_ISSUES).map(describeIssue);
  const more = report.issues.length - lines.length;
  if (more > 0) lines.push(`…and ${more} more.`);
  return lines;
}

function describeIssue(issue: LineIssue): string {
  return `Line ${issue.line}, ${issue.field}: ${issue.message}`;
}
