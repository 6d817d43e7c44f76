import { ErrorAlert } from './Notices';

/**
 * The line under a search or filter that says what was found (a polite live region, always present so screen
 * readers hear each new count) and, below it, what went wrong (announced at once).
 */
export function ResultsStatus({ summary, error }: { summary: string; error: string | null | undefined }) {
  return (
    <>
      <p className="results-summary" role="status" aria-live="polite">
        {summary}
      </p>
      <ErrorAlert error={error} />
    </>
  );
}
