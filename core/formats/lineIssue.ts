/** A problem with one line of an input file, precise enough for a person to fix it. */
export interface LineIssue {
  file: string;
  line: number;
  /** Dotted path of the offending field (`messages.0.author`), or `(line)` when the line is not JSON at all. */
  field: string;
  message: string;
}

/** Formats an issue the way compilers do, so editors can jump to it: `file:line: field: message`. */
export function formatLineIssue(issue: LineIssue): string {
  return `${issue.file}:${issue.line}: ${issue.field}: ${issue.message}`;
}

/** How many skipped lines or files share one reason. */
export interface SkipReason {
  /** The field and the problem without its details (`draft: a draft, not published`, `not valid JSON`). */
  reason: string;
  count: number;
}

/**
 * Skipped lines and files counted by reason, most frequent first: what an import's summary says ("3 skipped:
 * 2 draft: a draft, not published; 1 not valid JSON"). A message's closing parenthesised details are left out, so lines
 * failing the same way count together.
 */
export function skippedByReason(issues: readonly LineIssue[]): SkipReason[] {
  const byReason = new Map<string, number>();
  for (const issue of issues) {
    const reason = `${issue.field === '(line)' || issue.field === '(file)' ? '' : `${issue.field}: `}${withoutClosingDetails(issue.message)}`;
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  return [...byReason].sort((a, b) => b[1] - a[1]).map(([reason, count]) => ({ reason, count }));
}

/**
 * A message without the parenthesised details it ends with ("is missing (expected string)" → "is missing"), nested
 * parentheses included (a JSON parser's "… at position 1 (line 1 column 2))"); parentheses inside the sentence stay.
 */
function withoutClosingDetails(message: string): string {
  if (!message.endsWith(')')) return message;
  let depth = 0;
  for (let i = message.length - 1; i >= 0; i--) {
    if (message[i] === ')') depth++;
    else if (message[i] === '(' && --depth === 0) return i > 0 && message[i - 1] === ' ' ? message.slice(0, i - 1) : message;
  }
  return message;
}
