/**
 * Vigil's tray icon: how many suggestions wait, which mode the engine is in, and the few things an analyst
 * does from there (bring the window forward, open the assist bubble, toggle do-not-disturb, quit).
 */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';

export interface TrayState {
  /** Suggestions shown and not yet opened by the analyst. */
  waiting: number;
  mode: 'retrieval-only' | 'llm' | 'starting';
  doNotDisturb: boolean;
  /** Something the analyst must fix (a connector failing, the store not writable), in words; or null. */
  problem: string | null;
}

export interface TrayActions {
  showWindow(): void;
  showBubble(): void;
  setDoNotDisturb(on: boolean): void;
  quit(): void;
}

export function trayTooltip(state: TrayState): string {
  const parts = ['Vigil'];
  if (state.problem) parts.push(`needs attention: ${state.problem}`);
  else parts.push(state.waiting === 0 ? 'no suggestions waiting' : `${state.waiting} suggestion${state.waiting === 1 ? '' : 's'} waiting`);
  parts.push(state.mode === 'llm' ? 'local LLM ready' : state.mode === 'starting' ? 'starting' : 'retrieval-only');
  if (state.doNotDisturb) parts.push('do not disturb');
  return parts.join(' · ');
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: state.waiting > 0 ? `Open Vigil (${state.waiting} waiting)` : 'Open Vigil', click: () => actions.showWindow() },
    { label: 'Show assist bubble', click: () => actions.showBubble() },
    { type: 'separator' },
    {
      label: 'Do not disturb',
      type: 'checkbox',
      checked: state.doNotDisturb,
      click: (item) => actions.setDoNotDisturb(item.checked),
    },
    { type: 'separator' },
    { label: 'Quit Vigil', click: () => actions.quit() },
  ];
}

export class VigilTray {
  private readonly tray: Tray;
  private state: TrayState = { waiting: 0, mode: 'starting', doNotDisturb: false, problem: null };

  constructor(
    iconPath: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(nativeImage.createFromPath(iconPath));
    // A left click brings the window forward, as analysts expect from a helper that lives in the tray.
    this.tray.on('click', () => actions.showWindow());
    this.render();
  }

  update(patch: Partial<TrayState>): void {
    this.state = { ...this.state, ...patch };
    this.render();
  }

  current(): TrayState {
    return this.state;
  }

  destroy(): void {
    this.tray.destroy();
  }

  private render(): void {
    this.tray.setToolTip(trayTooltip(this.state));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(this.state, this.actions)));
  }
}
