/**
 * `vigil links allow|list|remove`: the team's documentation hosts (docs/learning.md, "Shared links"). A link an
 * analyst shares in a public reply is fetched, and proposed as an article in the review queue, only when its host
 * (or a name under it) is on this list; the list is `privacy.documentationHosts` in the data folder's settings.json,
 * the one Settings → Privacy edits. `vigil watch` reads it when it starts; a running app when it next opens the
 * folder (Settings → Privacy applies a change at once).
 */
import { parseArgs } from 'node:util';
import { appDataDir } from '../formats/dataDir';
import { parseDocumentationHosts, readPrivacySettings, writePrivacySettings } from '../privacy/privacySettings';

export const LINKS_USAGE = `  vigil links allow HOST ... [--data-dir DIR]    documentation hosts whose shared links become article candidates
  vigil links list [--data-dir DIR]
  vigil links remove HOST ... [--data-dir DIR]`;

type Out = { log: (line: string) => void; error: (line: string) => void };

/** A mistake in the command line (vigil.ts prints the usage for it). */
export class LinksUsageError extends Error {}

function describe(hosts: readonly string[], offline: boolean): string[] {
  if (hosts.length === 0) return ['no documentation hosts: no shared link is fetched'];
  const lines = [`documentation hosts (links shared from them, or from names under them, become article candidates):`, ...hosts.map((h) => `  ${h}`)];
  if (offline) lines.push('offline mode is on (Settings → Privacy): the app fetches nothing from them until it is off');
  return lines;
}

/** Runs `vigil links …` and returns the exit code; usage mistakes throw LinksUsageError. */
export async function linksCommand(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new LinksUsageError((error as Error).message);
  }
  const dataDir = parsed.values['data-dir'] ?? appDataDir();
  const hosts = parsed.positionals;
  if (sub === 'list') {
    if (hosts.length > 0) throw new LinksUsageError('links list takes no HOST');
    const saved = await readPrivacySettings(dataDir);
    for (const line of describe(saved.documentationHosts, saved.offline)) out.log(line);
    return 0;
  }
  if (sub !== 'allow' && sub !== 'remove') throw new LinksUsageError(`unknown links command "${sub ?? ''}" (use allow, list or remove)`);
  if (hosts.length === 0) throw new LinksUsageError(`links ${sub} needs at least one HOST (docs.example.com, without https:// or a path)`);
  // Checked before anything is read or written: the error names the host that is not one.
  const named = parseDocumentationHosts(hosts);
  const current = await readPrivacySettings(dataDir);
  let next: string[];
  if (sub === 'allow') {
    next = [...current.documentationHosts, ...named.filter((h) => !current.documentationHosts.includes(h))];
  } else {
    const missing = named.filter((h) => !current.documentationHosts.includes(h));
    if (missing.length > 0) {
      out.error(`vigil: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on the list of documentation hosts; nothing was changed (see \`vigil links list\`)`);
      return 1;
    }
    next = current.documentationHosts.filter((h) => !named.includes(h));
  }
  const saved = await writePrivacySettings(dataDir, { documentationHosts: next });
  for (const line of describe(saved.documentationHosts, saved.offline)) out.log(line);
  out.error('vigil watch uses this list from its next start; a running Vigil app from its next start too (Settings → Privacy changes it at once).');
  return 0;
}
