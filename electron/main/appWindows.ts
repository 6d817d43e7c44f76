/**
 * Vigil's windows for the shell: the main window (one at a time, brought forward rather than opened twice) and
 * the assist bubble, both on the same page and preload, and the one way desk events reach every window.
 */
import { BrowserWindow } from 'electron';
import type { DeskEvent } from '../../core/app/deskTypes';
import { DESK_EVENT_CHANNEL } from '../ipc/contract';
import { createAssistBubble } from './bubble';
import { createMainWindow } from './window';

export interface AppWindowOptions {
  /** The built preload (out/preload/index.cjs). */
  preloadPath: string;
  /** The page every window loads (`app://vigil/`, or the dev server in an unpackaged run). */
  entryUrl: string;
}

/** The main window and the bubble. */
export class AppWindows {
  private main: BrowserWindow | null = null;
  private bubble: BrowserWindow | null = null;

  constructor(private readonly options: AppWindowOptions) {}

  /** Opens the main window unless it is open already (at start, and when the dock icon is clicked). */
  openMain(): void {
    if (!this.main || this.main.isDestroyed()) this.main = createMainWindow(this.options);
  }

  /** Brings the main window forward, opening it again if it was closed. */
  showMain(): void {
    if (!this.main || this.main.isDestroyed()) {
      this.main = createMainWindow(this.options);
      return;
    }
    if (this.main.isMinimized()) this.main.restore();
    this.main.show();
    this.main.focus();
  }

  /** Brings the main window forward only if it is open (a second start of Vigil). */
  showMainIfOpen(): void {
    if (this.main && !this.main.isDestroyed()) this.showMain();
  }

  /** Shows the assist bubble beside the console without taking the focus. */
  showBubble(): void {
    if (!this.bubble || this.bubble.isDestroyed()) this.bubble = createAssistBubble(this.options);
    else this.bubble.showInactive();
  }

  /** Brings the main window forward on a ticket (a notification was clicked). */
  openTicket(ticketId: string): void {
    this.showMain();
    this.main?.webContents.send(DESK_EVENT_CHANNEL, { type: 'open-ticket', ticketId } satisfies DeskEvent);
  }

  /** Whether the analyst is looking at the main window now. */
  mainFocused(): boolean {
    return this.main !== null && !this.main.isDestroyed() && this.main.isFocused();
  }

  /** Sends a desk event to every open window. */
  broadcast(event: DeskEvent): void {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(DESK_EVENT_CHANNEL, event);
    }
  }
}
