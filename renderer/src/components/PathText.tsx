/** A folder or file as the app shows it: monospaced, the home folder as `~` (pathText.ts), the full path on hover. */
import { useHomeShortened } from './pathText';

export function PathText({ path }: { path: string }) {
  const shortened = useHomeShortened();
  return (
    <span className="path" title={path}>
      {shortened(path)}
    </span>
  );
}
