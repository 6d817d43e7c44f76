/**
 * Vigil's tray icon: the engine's real state at a glance (its icon), in a sentence (its tooltip) and in a few
 * plain lines at the top of its menu: whether the engine is starting, ready with the local model or
 * retrieval-only (and why), offline mode, any problem (a connector failing, the store not opening), and how many
 * tickets have help waiting. Below those, the few things an analyst does from there (bring the window forward,
 * open the assist bubble, toggle do-not-disturb, quit).
 */
import { join } from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { ConnectorHealth } from '../../core/connectors/connector';

export interface TrayState {
  /** Tickets with at least one suggestion the analyst has not opened yet. */
  waiting: number;
  /**
   * The engine: opening (`starting`), open with the local model (`llm`) or without it (`retrieval-only`), or not
   * open because opening failed (`stopped`; `problem` says why).
   */
  mode: 'retrieval-only' | 'llm' | 'starting' | 'stopped';
  /** Why the engine is in that mode, in words (the LLM monitor's reason); null when there is nothing to add. */
  modeReason: string | null;
  /** Offline mode (Settings → Privacy): connectors to other machines are paused. */
  offline: boolean;
  doNotDisturb: boolean;
  /** Something the analyst must fix (a connector failing, the store not opening), in words; or null. */
  problem: string | null;
}

/** The state the tray starts in, before the engine has said anything. */
export const INITIAL_TRAY_STATE: TrayState = { waiting: 0, mode: 'starting', modeReason: null, offline: false, doNotDisturb: false, problem: null };

/** One icon per state the analyst should tell apart at a glance, most urgent first. */
export const TRAY_ICON_STATES = ['problem', 'starting', 'waiting', 'offline', 'retrieval-only', 'ready'] as const;
export type TrayIconState = (typeof TRAY_ICON_STATES)[number];

export interface TrayActions {
  showWindow(): void;
  showBubble(): void;
  setDoNotDisturb(on: boolean): void;
  quit(): void;
}

/**
 * The icon to show: the most urgent thing true of `state`. A problem outranks everything (it needs a person);
 * help waiting outranks the engine's mode, which the tooltip and menu still give.
 */
export function trayIconState(state: TrayState): TrayIconState {
  if (state.problem || state.mode === 'stopped') return 'problem';
  if (state.mode === 'starting') return 'starting';
  if (state.waiting > 0) return 'waiting';
  if (state.offline) return 'offline';
  return state.mode === 'llm' ? 'ready' : 'retrieval-only';
}

/**
 * The bundled image of an icon state: `resources/tray/tray-<state>.png` (16 px, with a `@2x` sibling that
 * Electron picks on high-density screens). Drawn by `npm run icons:tray` (electron/tools/trayIcons.ts), never
 * fetched.
 */
export function trayIconPath(resourcesDir: string, state: TrayIconState): string {
  return join(resourcesDir, 'tray', `tray-${state}.png`);
}

/** Windows cuts tray tooltips at 127 characters (NOTIFYICONDATA's szTip); longer text is shortened with "…". */
export const MAX_TOOLTIP_CHARS = 127;

/** Menu lines longer than this are shortened: a tray menu is a glance, the Settings screen has the details. */
const MAX_MENU_LINE_CHARS = 90;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The first sentence of a reason ("Ollama is not running at 127.0.0.1:11434. Start it with …" → its first part). */
function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(\s|$)/.exec(text.trim());
  return (match?.[1] ?? text.trim()).replace(/[.!?]$/, '');
}

function waitingWords(waiting: number): string {
  if (waiting === 0) return 'no help waiting';
  return `${waiting} ticket${waiting === 1 ? '' : 's'} with help waiting`;
}

function modeWords(state: TrayState): string {
  switch (state.mode) {
    case 'starting':
      return 'starting';
    case 'stopped':
      return 'engine not running';
    case 'llm':
      return 'ready with the local model';
    case 'retrieval-only':
      return 'retrieval-only (no local model)';
  }
}

/** The tooltip: one line, at most `MAX_TOOLTIP_CHARS`, the problem shortened first so the rest still shows. */
export function trayTooltip(state: TrayState): string {
  const rest = [waitingWords(state.waiting), modeWords(state)];
  if (state.offline) rest.push('offline mode');
  if (state.doNotDisturb) rest.push('do not disturb');
  const tail = rest.join(' · ');
  if (!state.problem) return `Vigil · ${tail}`;
  const room = MAX_TOOLTIP_CHARS - `Vigil · needs attention:  · ${tail}`.length;
  return shorten(`Vigil · needs attention: ${shorten(state.problem, Math.max(room, 20))} · ${tail}`, MAX_TOOLTIP_CHARS);
}

/** The state lines at the top of the menu, in plain words; not clickable. */
export function trayStatusLines(state: TrayState): string[] {
  const lines: string[] = [];
  if (state.problem) lines.push(`Problem: ${state.problem}`);
  switch (state.mode) {
    case 'starting':
      lines.push('Starting: opening the team’s knowledge…');
      break;
    case 'stopped':
      lines.push('The engine is not running; suggestions are paused');
      break;
    case 'llm':
      lines.push('Ready with the local model');
      break;
    case 'retrieval-only':
      lines.push(state.modeReason ? `Retrieval-only: ${firstSentence(state.modeReason)}` : 'Retrieval-only: suggestions come from search alone');
      break;
  }
  if (state.offline) lines.push('Offline mode: connectors to other machines are paused');
  if (state.mode !== 'starting' && state.mode !== 'stopped') lines.push(waitingWords(state.waiting).replace(/^no/, 'No'));
  return lines.map((line) => shorten(line, MAX_MENU_LINE_CHARS));
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    ...trayStatusLines(state).map((label): MenuItemConstructorOptions => ({ label, enabled: false })),
    { type: 'separator' },
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

/**
 * The problems the tray shows, gathered from every source, so one source's good news never hides another's
 * trouble: each connector's health is kept by id (a failing connector stays a problem until that connector
 * recovers or stops being watched), beside a problem with watching as a whole (connectors.json) and with the
 * engine itself.
 */
export class TrayProblems {
  private readonly connectors = new Map<string, string>();
  private watch: string | null = null;
  private engine: string | null = null;

  /** Hears a connector's health: its last error makes it failing; a success or its stop clears it. */
  connectorHealth(health: Pick<ConnectorHealth, 'id' | 'state' | 'lastError'>): void {
    // A stopped connector is no longer watched (watching restarted without it, or the workspace closed): its old
    // error is no longer something to fix. If it fails again once restarted, its next health says so.
    if (health.state === 'stopped' || !health.lastError) this.connectors.delete(health.id);
    else this.connectors.set(health.id, health.lastError);
  }

  /** Why watching could not start at all (a mistake in connectors.json), or null once it started. */
  setWatchProblem(message: string | null): void {
    this.watch = message;
  }

  /** Why the engine could not open, or null once it is open. */
  setEngineProblem(message: string | null): void {
    this.engine = message;
  }

  /** Every problem in one line, the most fundamental first; null when there is none. */
  summary(): string | null {
    const parts: string[] = [];
    if (this.engine) parts.push(this.engine);
    if (this.watch) parts.push(this.watch);
    const failing = [...this.connectors].map(([id, error]) => `${id}: ${error}`);
    if (failing.length === 1) parts.push(failing[0]!);
    else if (failing.length > 1) parts.push(`${failing.length} connectors failing: ${failing.join('; ')}`);
    return parts.length === 0 ? null : parts.join(' · ');
  }
}

export class VigilTray {
  private readonly tray: Tray;
  private state: TrayState;
  private icon: TrayIconState;

  /** `iconPath` names the image of each icon state (`trayIconPath` for the bundled ones). */
  constructor(
    private readonly iconPath: (state: TrayIconState) => string,
    private readonly actions: TrayActions,
    initial: TrayState = INITIAL_TRAY_STATE,
  ) {
    this.state = initial;
    this.icon = trayIconState(initial);
    this.tray = new Tray(nativeImage.createFromPath(iconPath(this.icon)));
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

  /** The icon state shown now. */
  currentIcon(): TrayIconState {
    return this.icon;
  }

  destroy(): void {
    this.tray.destroy();
  }

  private render(): void {
    const icon = trayIconState(this.state);
    if (icon !== this.icon) {
      this.icon = icon;
      this.tray.setImage(nativeImage.createFromPath(this.iconPath(icon)));
    }
    this.tray.setToolTip(trayTooltip(this.state));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(this.state, this.actions)));
  }
}
