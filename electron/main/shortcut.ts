/**
 * The global shortcut that brings Vigil forward from any application. Another program may own the key
 * combination already; then Vigil says so and goes on without it, rather than failing to start.
 */
import { globalShortcut } from 'electron';

export type ShortcutResult = { registered: true; accelerator: string } | { registered: false; reason: string };

export function registerShowShortcut(accelerator: string, onPress: () => void): ShortcutResult {
  if (accelerator.trim() === '') return { registered: false, reason: 'The global shortcut is switched off in the preferences.' };
  let ok: boolean;
  try {
    ok = globalShortcut.register(accelerator, onPress);
  } catch (error) {
    return { registered: false, reason: `"${accelerator}" is not a valid shortcut (${String(error)}); change it in the preferences.` };
  }
  if (!ok) {
    return { registered: false, reason: `Another application already uses ${accelerator}; choose a different shortcut in the preferences.` };
  }
  return { registered: true, accelerator };
}

/** Releases one shortcut Vigil registered ('' does nothing). */
export function unregisterShortcut(accelerator: string): void {
  if (accelerator.trim() !== '') globalShortcut.unregister(accelerator);
}

export function unregisterShortcuts(): void {
  globalShortcut.unregisterAll();
}
