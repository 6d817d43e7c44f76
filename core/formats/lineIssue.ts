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
