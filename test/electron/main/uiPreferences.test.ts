import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tempFolder } from '../../support/tempFolder';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_UI_PREFERENCES,
  loadUiPreferences,
  saveUiPreferences,
  UI_PREFERENCES_FILE,
} from '../../../electron/main/uiPreferences';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';

describe('the analyst’s UI preferences file', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await tempFolder('vigil-prefs-');
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it('starts from the defaults and round-trips what was saved, readable by the user only', async () => {
    expect(await loadUiPreferences(folder)).toEqual({ preferences: DEFAULT_UI_PREFERENCES, warnings: [] });
    const changed = {
      ...DEFAULT_UI_PREFERENCES,
      notifications: { ...DEFAULT_UI_PREFERENCES.notifications, doNotDisturb: true, kinds: { ...DEFAULT_UI_PREFERENCES.notifications.kinds, article: true } },
    };
    await saveUiPreferences(folder, changed);
    expect(await loadUiPreferences(folder)).toEqual({ preferences: changed, warnings: [] });
    expect((await stat(join(folder, UI_PREFERENCES_FILE))).mode & 0o077).toBe(0);
  });

  it('keeps the good fields of a damaged file and names each bad one', async () => {
    const file = join(folder, UI_PREFERENCES_FILE);
    await writeFile(file, JSON.stringify({ notifications: { doNotDisturb: 'yes', cooldownMinutes: 3, kinds: { alert: false } }, showShortcut: 7 }));
    const { preferences, warnings } = await loadUiPreferences(folder);
    expect(preferences.notifications.cooldownMinutes).toBe(3);
    expect(preferences.notifications.kinds.alert).toBe(false);
    expect(preferences.notifications.kinds.answer).toBe(true);
    expect(preferences.notifications.doNotDisturb).toBe(false);
    expect(preferences.showShortcut).toBe(DEFAULT_UI_PREFERENCES.showShortcut);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`${file}: notifications.doNotDisturb:`);
    expect(warnings[1]).toContain(`${file}: showShortcut:`);
  });

  it('holds a saved request and the stored file to the same limits, in the same words', async () => {
    const file = join(folder, UI_PREFERENCES_FILE);
    const tooLong = { ...DEFAULT_UI_PREFERENCES, notifications: { ...DEFAULT_UI_PREFERENCES.notifications, cooldownMinutes: 2000 }, showShortcut: 'Ctrl+é' };
    expect(() => parseIpcRequest('setPreferences', [tooLong])).toThrow('notifications.cooldownMinutes: the cool-down must be at most 1440 minutes (a day)');
    expect(() => parseIpcRequest('setPreferences', [tooLong])).toThrow('showShortcut: the shortcut may hold only keys such as CommandOrControl+Shift+Space');
    await writeFile(file, JSON.stringify(tooLong));
    const { warnings } = await loadUiPreferences(folder);
    expect(warnings).toEqual([
      `${file}: notifications.cooldownMinutes: the cool-down must be at most 1440 minutes (a day); using the default.`,
      `${file}: showShortcut: the shortcut may hold only keys such as CommandOrControl+Shift+Space; using the default.`,
    ]);
  });

  it('falls back to the defaults when the file is not JSON, and says so', async () => {
    await writeFile(join(folder, UI_PREFERENCES_FILE), '{ not json');
    const { preferences, warnings } = await loadUiPreferences(folder);
    expect(preferences).toEqual(DEFAULT_UI_PREFERENCES);
    expect(warnings[0]).toMatch(/ui-preferences\.json: not valid JSON/);
    expect(await readFile(join(folder, UI_PREFERENCES_FILE), 'utf8')).toBe('{ not json');
  });
});
