/** What an action just did (announced politely) and what went wrong (announced at once), under a settings panel. */
export function Notices({ notice, error }: { notice: string | null | undefined; error: string | null | undefined }) {
  return (
    <>
      {notice && (
        <p className="settings-notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
