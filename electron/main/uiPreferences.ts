/**
 * The analyst's own preferences for the desktop shell (notifications, do-not-disturb, shortcut), kept in
 * Electron's userData folder as `ui-preferences.json`. Team settings live in the team's data folder instead.
 * A damaged file never stops the app: each bad field falls back to its default and is named in a warning.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../../core/formats/durableFile';
import { errorMessage } from '../../core/formats/errorMessage';
import { SUGGESTION_KINDS } from '../../core/formats/schemas';
import { DEFAULT_NOTIFICATION_PREFS, type NotificationPrefs } from './notificationPolicy';

/** Brings Vigil forward from anywhere. */
export const DEFAULT_SHOW_SHORTCUT = 'CommandOrControl+Shift+Space';

/** Longest global shortcut accepted ("CommandOrControl+Alt+Shift+Space" is 32). */
export const MAX_SHORTCUT_CHARS = 64;

/** The switches of the suggestion kinds, one per kind; each must be true or false. */
const kindSwitches = Object.fromEntries(SUGGESTION_KINDS.map((kind) => [kind, z.boolean(`the switch for ${kind} suggestions must be true or false`)])) as Record<
  (typeof SUGGESTION_KINDS)[number],
  z.ZodBoolean
>;

const NotificationsSchema = z.strictObject({
  enabled: z.boolean('notifications.enabled must be true or false'),
  doNotDisturb: z.boolean('notifications.doNotDisturb must be true or false'),
  dndUntil: z.iso.datetime({ offset: true, message: 'the do-not-disturb end must be an ISO 8601 time, or null for "until I switch it off"' }).nullable(),
  kinds: z.strictObject(kindSwitches),
  cooldownMinutes: z
    .number('the cool-down must be a number of minutes')
    .int('the cool-down must be a whole number of minutes')
    .min(0, 'the cool-down cannot be negative')
    .max(24 * 60, 'the cool-down must be at most 1440 minutes (a day)'),
});

/**
 * The one schema of the analyst's preferences: the whole of a `setPreferences` request (strict), and field by
 * field the check of the stored file (see `parseUiPreferences`).
 */
export const UiPreferencesSchema = z.strictObject({
  notifications: NotificationsSchema,
  showShortcut: z
    .string()
    .trim()
    .max(MAX_SHORTCUT_CHARS, `the shortcut is longer than ${MAX_SHORTCUT_CHARS} characters`)
    // Electron accelerators are printable ASCII ("CommandOrControl+Shift+Space"); anything else is never valid.
    .regex(/^[\x20-\x7E]*$/, 'the shortcut may hold only keys such as CommandOrControl+Shift+Space'),
});

/** The analyst's preferences for the desktop shell. */
export type UiPreferences = z.output<typeof UiPreferencesSchema>;

export const DEFAULT_UI_PREFERENCES: UiPreferences = {
  notifications: DEFAULT_NOTIFICATION_PREFS,
  showShortcut: DEFAULT_SHOW_SHORTCUT,
};

// A stored file may predate a suggestion kind or name one no longer known: each kind is optional and unknown
// ones are ignored, where a request must name every kind and no other.
const StoredKindsSchema = z.object(kindSwitches).partial();

const FIELDS = {
  'notifications.enabled': NotificationsSchema.shape.enabled,
  'notifications.doNotDisturb': NotificationsSchema.shape.doNotDisturb,
  'notifications.dndUntil': NotificationsSchema.shape.dndUntil,
  'notifications.kinds': StoredKindsSchema,
  'notifications.cooldownMinutes': NotificationsSchema.shape.cooldownMinutes,
  showShortcut: UiPreferencesSchema.shape.showShortcut,
} as const;

export const UI_PREFERENCES_FILE = 'ui-preferences.json';

function at(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Parses stored preferences field by field; returns the usable preferences and a warning per bad field. */
export function parseUiPreferences(raw: unknown, file: string): { preferences: UiPreferences; warnings: string[] } {
  const warnings: string[] = [];
  const pick = <T>(path: keyof typeof FIELDS, fallback: T): T => {
    const value = at(raw, path);
    if (value === undefined) return fallback;
    const parsed = (FIELDS[path] as z.ZodType).safeParse(value);
    if (parsed.success) return parsed.data as T;
    warnings.push(`${file}: ${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}; using the default.`);
    return fallback;
  };
  const defaults = DEFAULT_UI_PREFERENCES.notifications;
  const kinds = pick<Partial<NotificationPrefs['kinds']>>('notifications.kinds', {});
  return {
    preferences: {
      notifications: {
        enabled: pick('notifications.enabled', defaults.enabled),
        doNotDisturb: pick('notifications.doNotDisturb', defaults.doNotDisturb),
        dndUntil: pick('notifications.dndUntil', defaults.dndUntil),
        kinds: { ...defaults.kinds, ...Object.fromEntries(Object.entries(kinds).filter(([, v]) => v !== undefined)) },
        cooldownMinutes: pick('notifications.cooldownMinutes', defaults.cooldownMinutes),
      },
      showShortcut: pick('showShortcut', DEFAULT_UI_PREFERENCES.showShortcut),
    },
    warnings,
  };
}

export async function loadUiPreferences(folder: string): Promise<{ preferences: UiPreferences; warnings: string[] }> {
  const file = join(folder, UI_PREFERENCES_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { preferences: DEFAULT_UI_PREFERENCES, warnings: [] };
    return { preferences: DEFAULT_UI_PREFERENCES, warnings: [`${file}: cannot be read (${String(error)}); using the defaults.`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { preferences: DEFAULT_UI_PREFERENCES, warnings: [`${file}: not valid JSON (${errorMessage(error)}); using the defaults.`] };
  }
  return parseUiPreferences(raw, file);
}

/** Writes preferences atomically and durably (core/formats/durableFile.ts), so a crash never leaves half a file. */
export async function saveUiPreferences(folder: string, preferences: UiPreferences): Promise<void> {
  const file = join(folder, UI_PREFERENCES_FILE);
  await writeJsonAtomic(file, preferences, { mode: 0o600 });
}
