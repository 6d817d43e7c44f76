/**
 * The analyst's UI preferences while the app runs: the one copy the notifier, the tray and the Settings
 * screen read, saved to `ui-preferences.json` on every change, with the effects a change has on the shell
 * (the tray's do-not-disturb mark, the global shortcut) applied through injected functions. No Electron
 * import, so the browser-test bridge serves the Settings screen with this very class.
 */
import { errorMessage } from '../../core/formats/errorMessage';
import type { PreferencesView } from '../ipc/contract';
import { loadUiPreferences, saveUiPreferences, type UiPreferences } from './uiPreferences';
import { log } from '../../core/privacy/redactingLogger';

/** How the shell applies preferences; each part is optional (the browser tests have no tray or shortcuts). */
export interface PreferenceEffects {
  /** Shows do-not-disturb in the tray. */
  showDoNotDisturb?(on: boolean): void;
  /**
   * Registers `next` as the global shortcut in place of `previous` ('' = switched off). Answers null when it
   * works (or is off), else why not, in words; then `previous` must stay registered.
   */
  changeShortcut?(previous: string, next: string): string | null;
}

export class PreferencesStore {
  private shortcutProblem: string | null = null;

  private constructor(
    private readonly folder: string,
    private current: UiPreferences,
    private readonly effects: PreferenceEffects,
  ) {}

  /** Loads the preferences from `folder`; a damaged file gives the defaults and a warning per bad field. */
  static async open(folder: string, effects: PreferenceEffects = {}, onWarning: (message: string) => void = (message) => log.warn(message)): Promise<PreferencesStore> {
    const loaded = await loadUiPreferences(folder);
    for (const warning of loaded.warnings) onWarning(warning);
    return new PreferencesStore(folder, loaded.preferences, effects);
  }

  get preferences(): UiPreferences {
    return this.current;
  }

  view(): PreferencesView {
    return { preferences: this.current, shortcutProblem: this.shortcutProblem };
  }

  /** Records why the shortcut registered at start-up does not work, for the Settings screen. */
  noteShortcutProblem(problem: string | null): void {
    this.shortcutProblem = problem;
  }

  /**
   * Applies and saves new preferences. A shortcut that cannot be registered is not taken: the previous one
   * stays (registered and saved) and the answer says why, naming the field; everything else is saved.
   */
  async update(next: UiPreferences): Promise<PreferencesView> {
    const previous = this.current;
    let showShortcut = next.showShortcut;
    if (next.showShortcut !== previous.showShortcut && this.effects.changeShortcut) {
      const problem = this.effects.changeShortcut(previous.showShortcut, next.showShortcut);
      if (problem) {
        showShortcut = previous.showShortcut;
        this.shortcutProblem = `showShortcut: ${problem} ${previous.showShortcut ? `${previous.showShortcut} stays the shortcut.` : 'The shortcut stays off.'}`;
      } else {
        this.shortcutProblem = null;
      }
    }
    const saved: UiPreferences = { ...next, showShortcut };
    try {
      await saveUiPreferences(this.folder, saved);
    } catch (error) {
      // Not saved, so not applied: the shortcut goes back to the one the file still names.
      if (showShortcut !== previous.showShortcut) this.effects.changeShortcut?.(showShortcut, previous.showShortcut);
      throw new Error(`Vigil could not save your preferences in ${this.folder} (${errorMessage(error)}); nothing was changed. Check that the folder is writable.`);
    }
    this.current = saved;
    if (saved.notifications.doNotDisturb !== previous.notifications.doNotDisturb || saved.notifications.dndUntil !== previous.notifications.dndUntil) {
      this.effects.showDoNotDisturb?.(saved.notifications.doNotDisturb);
    }
    return this.view();
  }

  /** The tray's do-not-disturb switch: on until switched off, or off. */
  setDoNotDisturb(on: boolean): Promise<PreferencesView> {
    return this.update({ ...this.current, notifications: { ...this.current.notifications, doNotDisturb: on, dndUntil: null } });
  }
}
