import { useHomeShortened } from './pathText';

/**
 * What an action just did (announced politely) and what went wrong (announced at once), under a settings panel.
 * Folders they name are written from `~`, as the panel above writes them (PathText).
 */
export function Notices({ notice, error }: { notice: string | null | undefined; error: string | null | undefined }) {
  const shortened = useHomeShortened();
  return (
    <>
      {notice && (
        <p className="settings-notice" role="status">
          {shortened(notice)}
        </p>
      )}
      <ErrorAlert error={error} />
    </>
  );
}

/** What went wrong, announced at once; nothing when nothing did. Folders it names are written from `~`. */
export function ErrorAlert({ error }: { error: string | null | undefined }) {
  const shortened = useHomeShortened();
  return error ? (
    <p className="notice error" role="alert">
      {shortened(error)}
    </p>
  ) : null;
}
