import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { PreferencesStore } from '../../../electron/main/preferencesStore';
import { DEFAULT_UI_PREFERENCES, loadUiPreferences, UI_PREFERENCES_FILE } from '../../../electron/main/uiPreferences';

async function folder(): Promise<string> {
  return tempFolder('vigil-prefs-store-');
}

describe('PreferencesStore', () => {
  it('saves every change to ui-preferences.json and shows do-not-disturb in the tray', async () => {
    const dir = await folder();
    const showDoNotDisturb = vi.fn();
    const store = await PreferencesStore.open(dir, { showDoNotDisturb });
    const until = '2026-11-22T18:00:00.000Z';
    const next = { ...DEFAULT_UI_PREFERENCES, notifications: { ...DEFAULT_UI_PREFERENCES.notifications, doNotDisturb: true, dndUntil: until } };
    await store.update(next);
    expect(showDoNotDisturb).toHaveBeenCalledWith(true);
    expect((await loadUiPreferences(dir)).preferences).toEqual(next);
    // Unchanged do-not-disturb: the tray is left alone.
    await store.update({ ...next, notifications: { ...next.notifications, cooldownMinutes: 3 } });
    expect(showDoNotDisturb).toHaveBeenCalledTimes(1);
    await store.setDoNotDisturb(false);
    expect(showDoNotDisturb).toHaveBeenLastCalledWith(false);
    expect(store.preferences.notifications).toMatchObject({ doNotDisturb: false, dndUntil: null, cooldownMinutes: 3 });
  });

  it('registers a changed shortcut, and keeps the previous one when the new one cannot be had', async () => {
    const dir = await folder();
    const changeShortcut = vi.fn((_previous: string, next: string) => (next === 'Alt+Tab' ? 'Another application already uses Alt+Tab.' : null));
    const store = await PreferencesStore.open(dir, { changeShortcut });

    let view = await store.update({ ...DEFAULT_UI_PREFERENCES, showShortcut: 'Alt+Shift+V' });
    expect(changeShortcut).toHaveBeenLastCalledWith('CommandOrControl+Shift+Space', 'Alt+Shift+V');
    expect(view).toEqual({ preferences: { ...DEFAULT_UI_PREFERENCES, showShortcut: 'Alt+Shift+V' }, shortcutProblem: null });

    view = await store.update({ ...DEFAULT_UI_PREFERENCES, showShortcut: 'Alt+Tab', notifications: { ...DEFAULT_UI_PREFERENCES.notifications, enabled: false } });
    expect(view.shortcutProblem).toBe('showShortcut: Another application already uses Alt+Tab. Alt+Shift+V stays the shortcut.');
    // The rest of the change is kept; the shortcut stays the working one, on disk too.
    expect(view.preferences).toMatchObject({ showShortcut: 'Alt+Shift+V', notifications: { enabled: false } });
    const saved = JSON.parse(await readFile(join(dir, UI_PREFERENCES_FILE), 'utf8')) as { showShortcut: string };
    expect(saved.showShortcut).toBe('Alt+Shift+V');

    // The same shortcut again: nothing to register.
    changeShortcut.mockClear();
    await store.update(store.preferences);
    expect(changeShortcut).not.toHaveBeenCalled();
  });

  it('starts from the defaults, with a warning, when the file is damaged', async () => {
    const dir = await folder();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, UI_PREFERENCES_FILE), '{"notifications": {"cooldownMinutes": "soon"}}');
    const warnings: string[] = [];
    const store = await PreferencesStore.open(dir, {}, (w) => warnings.push(w));
    expect(store.preferences).toEqual(DEFAULT_UI_PREFERENCES);
    expect(warnings[0]).toContain('notifications.cooldownMinutes');
  });

  it('changes nothing, the shortcut included, when the preferences cannot be saved', async () => {
    const dir = await folder();
    const changeShortcut = vi.fn((_previous: string, _next: string): string | null => null);
    const store = await PreferencesStore.open(join(dir, 'not-a-folder'), { changeShortcut });
    const { writeFile } = await import('node:fs/promises');
    // A file where the folder should be: every save fails.
    await writeFile(join(dir, 'not-a-folder'), 'x');
    await expect(store.update({ ...DEFAULT_UI_PREFERENCES, showShortcut: 'Alt+Shift+V' })).rejects.toThrow(/could not save your preferences .*nothing was changed/);
    expect(changeShortcut.mock.calls).toEqual([
      ['CommandOrControl+Shift+Space', 'Alt+Shift+V'],
      ['Alt+Shift+V', 'CommandOrControl+Shift+Space'],
    ]);
    expect(store.preferences).toEqual(DEFAULT_UI_PREFERENCES);
  });
});
