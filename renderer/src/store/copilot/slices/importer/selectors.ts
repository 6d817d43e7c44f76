import type { KnowledgeImportResult } from '../../../../api/contractTypes';

type SkippedIssue = KnowledgeImportResult['issues'][number];

/** Whole numbers with the analyst's digit grouping (1,500). */
const count = (n: number): string => n.toLocaleString('en');

/** The report's first line: what was imported from where, and how many lines or files were skipped. */
export function importSummary(result: KnowledgeImportResult | null): string {
  if (!result) return '';
  const imported = `Imported ${count(result.imported)} ${result.imported === 1 ? 'entry' : 'entries'} from ${result.source}.`;
  if (result.skipped === 0) return imported;
  return `${imported} ${count(result.skipped)} skipped:`;
}

/** Every reason something was skipped, with how many times: `2 × body: is missing (expected string)`. */
export function skippedReasons(result: KnowledgeImportResult | null): string[] {
  return result ? result.reasons.map((r) => `${count(r.count)} × ${r.reason}`) : [];
}

/** Where a skipped item was: a help-center article's address, or a file's name with its line when it has lines. */
function place(issue: SkippedIssue): string {
  if (/^https?:\/\//.test(issue.file)) return issue.file;
  const name = issue.file.split(/[\\/]/).pop() ?? issue.file;
  return issue.field === '(file)' ? name : `${name} line ${issue.line}`;
}

/**
 * The first skipped items, each with its place and full reason (`faq.csv line 7, body: must not be empty`), and how
 * many more were skipped than are listed. A plain function, not a selector: it builds a new array, which zustand
 * would take for a change on every render.
 */
export function listedIssues(result: KnowledgeImportResult | null): string[] {
  if (!result) return [];
  const lines = result.issues.map((issue) => {
    const field = issue.field === '(file)' || issue.field === '(line)' ? '' : `${issue.field}: `;
    return `${place(issue)}${issue.field === '(file)' ? ':' : ','} ${field}${issue.message}`;
  });
  const more = result.skipped - result.issues.length;
  if (more > 0) lines.push(`…and ${count(more)} more (counted above by reason).`);
  return lines;
}

/** The running import's progress in words. */
export function progressText(progress: { source: string; imported: number } | null): string {
  if (!progress) return '';
  return progress.imported > 0 ? `Importing ${progress.source}: ${count(progress.imported)} entries so far…` : `Importing ${progress.source}…`;
}
