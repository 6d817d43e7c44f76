/**
 * Folders as the app writes them: the analyst's home folder as `~` ("~/.config/Vigil Desktop", not
 * "/home/ana.lopez/.config/Vigil Desktop"). Shorter to read, and a screenshot of the app sent to support or shared with
 * the team does not carry the account's name.
 */
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';

/** Characters that can continue a folder's name: a home followed by one of them is another folder ("/home/anabel"). */
const NAME_CHAR = String.raw`[\p{L}\p{N}_.~-]`;

/**
 * `text` with each path under `home` (and `home` itself) written from `~`. A path that only starts with the same
 * letters ("/home/anabel" for "/home/ana") or that has `home` inside it ("/backup/home/ana") is left as it is, and so
 * is everything when the home folder is unknown (null) or the root.
 */
export function homeShortened(text: string, home: string | null): string {
  const base = home?.replace(/[\\/]+$/, '') ?? '';
  if (base.length === 0) return text;
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A full stop may end the sentence after a path ("…/vigil-team."), so only a dot followed by a name character continues it.
  const pattern = new RegExp(`(?<!${NAME_CHAR}|[\\\\/])${escaped}(?=[\\\\/]|\\.(?!${NAME_CHAR})|(?!${NAME_CHAR}))`, 'gu');
  return text.replace(pattern, '~');
}

/** `homeShortened` with the analyst's home folder as the app knows it (paths in full until it is known). */
export function useHomeShortened(): (text: string) => string {
  const home = useCopilotStore((s) => s.homeFolder);
  return (text) => homeShortened(text, home);
}
