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

export interface UiPreferences {
  notifications: NotificationPrefs;
  /** Electron accelerator of the global "bring Vigil forward" shortcut; empty to switch it off. */
  showShortcut: string;
}

export const DEFAULT_UI_PREFERENCES: UiPreferences = {
  notifications: DEFAULT_NOTIFICATION_PREFS,
  showShortcut: DEFAULT_SHOW_SHORTCUT,
};

const KindsSchema = z.object(
  Object.fromEntries(SUGGESTION_KINDS.map((k) => [k, z.boolean().optional()])) as Record<(typeof SUGGESTION_KINDS)[number], z.ZodOptional<z.ZodBoolean>>,
);

const FIELDS = {
  'notifications.enabled': z.boolean(),
  'notifications.doNotDisturb': z.boolean(),
  'notifications.dndUntil': z.iso.datetime({ offset: true }).nullable(),
  'notifications.kinds': KindsSchema,
  'notifications.cooldownMinutes': z.number().int().min(0).max(24 * 60),
  showShortcut: z.string().max(64),
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
