/** What an action just did (announced politely) and what went wrong (announced at once), under a settings panel. */
export function Notices({ notice, error }: { notice: string | null | undefined; error: string | null | undefined }) {
  return (
    <>
      {notice && (
        <p className="settings-notice" role="status">
          {notice}
        </p>
      )}
      <ErrorAlert error={error} />
    </>
  );
}

/** What went wrong, announced at once; nothing when nothing did. */
export function ErrorAlert({ error }: { error: string | null | undefined }) {
  return error ? (
    <p className="notice error" role="alert">
      {error}
    </p>
  ) : null;
}
