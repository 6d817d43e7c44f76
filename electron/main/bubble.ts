/**
 * The assist bubble: a small always-on-top window that sits beside the helpdesk console and shows the
 * suggestions for the ticket in hand. Same page, same preload and same security settings as the main window;
 * the page renders its compact view for the `#bubble` address.
 */
import { BrowserWindow } from 'electron';
import { secureWebPreferences } from './window';
import { log } from '../../core/privacy/redactingLogger';

export interface BubbleOptions {
  preloadPath: string;
  entryUrl: string;
}

/** The bubble's address: the entry URL with the `#bubble` view selected. */
export function bubbleUrl(entryUrl: string): string {
  const url = new URL(entryUrl);
  url.hash = 'bubble';
  return url.toString();
}

export function createAssistBubble(options: BubbleOptions): BrowserWindow {
  const bubble = new BrowserWindow({
    width: 380,
    height: 520,
    minWidth: 300,
    minHeight: 240,
    show: false,
    title: 'Vigil assist',
    alwaysOnTop: true,
    skipTaskbar: true,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  // 'floating' keeps it above ordinary windows (the helpdesk's browser) without covering system dialogs.
  bubble.setAlwaysOnTop(true, 'floating');
  bubble.once('ready-to-show', () => bubble.showInactive());
  bubble.loadURL(bubbleUrl(options.entryUrl)).catch((error: unknown) => {
    log.error(`Vigil could not load the assist bubble: ${String(error)}`);
  });
  return bubble;
}
