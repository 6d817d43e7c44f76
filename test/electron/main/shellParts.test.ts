/** Tray, notifications, assist bubble and global shortcut, with `electron` mocked (see fakeElectron.ts). */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeElectron, FakeBrowserWindow, FakeNotification, FakeTray, resetFakeElectron } from '../fakeElectron';
import { bubbleUrl, createAssistBubble } from '../../../electron/main/bubble';
import { DEFAULT_NOTIFICATION_PREFS } from '../../../electron/main/notificationPolicy';
import { plainNotificationText, SuggestionNotifier } from '../../../electron/main/notifier';
import { registerShowShortcut } from '../../../electron/main/shortcut';
import {
  INITIAL_TRAY_STATE,
  MAX_TOOLTIP_CHARS,
  trayIconPath,
  trayIconState,
  trayMenuTemplate,
  trayStatusLines,
  TrayProblems,
  trayTooltip,
  VigilTray,
  type TrayIconState,
  type TrayState,
} from '../../../electron/main/tray';
import { secureWebPreferences } from '../../../electron/main/window';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const actions = () => ({ showWindow: vi.fn(), showBubble: vi.fn(), setDoNotDisturb: vi.fn(), quit: vi.fn() });
const state = (patch: Partial<TrayState> = {}): TrayState => ({ ...INITIAL_TRAY_STATE, mode: 'retrieval-only', ...patch });
const icons = (s: TrayIconState) => `/opt/vigil/resources/tray/tray-${s}.png`;

describe('the tray icon', () => {
  beforeEach(() => resetFakeElectron());

  it('says in its tooltip how many tickets have help waiting, the engine’s mode, offline mode and do-not-disturb', () => {
    expect(trayTooltip(state())).toBe('Vigil · no help waiting · retrieval-only (no local model)');
    expect(trayTooltip(state({ waiting: 3, mode: 'llm', doNotDisturb: true }))).toBe(
      'Vigil · 3 tickets with help waiting · ready with the local model · do not disturb',
    );
    expect(trayTooltip(state({ waiting: 1, offline: true }))).toBe('Vigil · 1 ticket with help waiting · retrieval-only (no local model) · offline mode');
    expect(trayTooltip(state({ mode: 'starting' }))).toBe('Vigil · no help waiting · starting');
    expect(trayTooltip(state({ waiting: 3, mode: 'llm', problem: 'the RT connector cannot sign in' }))).toBe(
      'Vigil · needs attention: the RT connector cannot sign in · 3 tickets with help waiting · ready with the local model',
    );
  });

  it('keeps a long problem within what Windows shows (127 characters), still naming the mode', () => {
    const tooltip = trayTooltip(state({ waiting: 2, problem: `rt: ${'the server answered 503 Service Unavailable '.repeat(5)}` }));
    expect(tooltip.length).toBeLessThanOrEqual(MAX_TOOLTIP_CHARS);
    expect(tooltip).toContain('needs attention: rt: the server answered 503');
    expect(tooltip).toContain('… · 2 tickets with help waiting · retrieval-only (no local model)');
  });

  it('shows one icon per state, the most urgent first', () => {
    expect(trayIconState(state({ mode: 'llm' }))).toBe('ready');
    expect(trayIconState(state())).toBe('retrieval-only');
    expect(trayIconState(state({ mode: 'llm', offline: true }))).toBe('offline');
    expect(trayIconState(state({ mode: 'llm', offline: true, waiting: 2 }))).toBe('waiting');
    expect(trayIconState(state({ mode: 'starting', waiting: 2 }))).toBe('starting');
    expect(trayIconState(state({ mode: 'llm', waiting: 2, problem: 'rt: cannot sign in' }))).toBe('problem');
    expect(trayIconState(state({ mode: 'stopped' }))).toBe('problem');
    expect(trayIconPath('/opt/vigil/resources', 'retrieval-only')).toBe('/opt/vigil/resources/tray/tray-retrieval-only.png');
  });

  it('puts the state in plain lines at the top of its menu, then open, bubble, do-not-disturb and quit, each doing what it says', () => {
    const a = actions();
    const menu = trayMenuTemplate(
      state({ waiting: 2, modeReason: 'Ollama is not running at 127.0.0.1:11434. Start it with `ollama serve`.', offline: true, problem: 'rt: cannot sign in' }),
      a,
    );
    const lines = menu.filter((i) => i.enabled === false).map((i) => i.label);
    expect(lines).toEqual([
      'Problem: rt: cannot sign in',
      'Retrieval-only: Ollama is not running at 127.0.0.1:11434',
      'Offline mode: connectors to other machines are paused',
      '2 tickets with help waiting',
    ]);
    const byLabel = new Map(menu.filter((i) => i.label && i.enabled !== false).map((i) => [i.label!, i]));
    expect([...byLabel.keys()]).toEqual(['Open Vigil (2 waiting)', 'Show assist bubble', 'Do not disturb', 'Quit Vigil']);
    const click = (label: string, item: object = {}) =>
      (byLabel.get(label)!.click as (item: object) => void)(item);
    click('Open Vigil (2 waiting)');
    click('Show assist bubble');
    click('Do not disturb', { checked: true });
    click('Quit Vigil');
    expect(a.showWindow).toHaveBeenCalledOnce();
    expect(a.showBubble).toHaveBeenCalledOnce();
    expect(a.setDoNotDisturb).toHaveBeenCalledWith(true);
    expect(a.quit).toHaveBeenCalledOnce();
    expect(trayStatusLines(state({ mode: 'llm' }))).toEqual(['Ready with the local model', 'No help waiting']);
    expect(trayStatusLines(state({ mode: 'starting' }))).toEqual(['Starting: opening the team’s knowledge…']);
  });

  it('renders its state into the real tray, changes its image only when the icon state changes, and brings the window forward on click', () => {
    const a = actions();
    const tray = new VigilTray(icons, a);
    const fake = FakeTray.created[0]!;
    expect(fake.image).toEqual({ path: '/opt/vigil/resources/tray/tray-starting.png' });
    tray.update({ mode: 'retrieval-only' });
    expect(fake.setImage).toHaveBeenLastCalledWith({ path: '/opt/vigil/resources/tray/tray-retrieval-only.png' });
    tray.update({ waiting: 1 });
    expect(fake.setToolTip).toHaveBeenLastCalledWith('Vigil · 1 ticket with help waiting · retrieval-only (no local model)');
    expect(fake.setImage).toHaveBeenLastCalledWith({ path: '/opt/vigil/resources/tray/tray-waiting.png' });
    tray.update({ waiting: 2 });
    expect(fake.setImage).toHaveBeenCalledTimes(2);
    expect(tray.currentIcon()).toBe('waiting');
    fake.emit('click');
    expect(a.showWindow).toHaveBeenCalledOnce();
  });
});

describe('the tray’s problems, gathered over every connector', () => {
  const health = (id: string, lastError: string | null, state: 'idle' | 'retrying' | 'stopped' = lastError ? 'retrying' : 'idle') => ({ id, lastError, state });

  it('keeps one connector’s failure while another is healthy, until that one recovers', () => {
    const problems = new TrayProblems();
    problems.connectorHealth(health('rt', 'RT refused the token (401). Check the token in Settings → Connectors.'));
    problems.connectorHealth(health('mail', null));
    expect(problems.summary()).toBe('rt: RT refused the token (401). Check the token in Settings → Connectors.');
    problems.connectorHealth(health('mail', 'The IMAP server did not answer.'));
    expect(problems.summary()).toBe('2 connectors failing: rt: RT refused the token (401). Check the token in Settings → Connectors.; mail: The IMAP server did not answer.');
    problems.connectorHealth(health('rt', null));
    expect(problems.summary()).toBe('mail: The IMAP server did not answer.');
    // A connector no longer watched (removed, or the workspace closed) is no longer something to fix.
    problems.connectorHealth(health('mail', 'The IMAP server did not answer.', 'stopped'));
    expect(problems.summary()).toBeNull();
  });

  it('puts a broken engine or connectors.json first, and clears each on its own', () => {
    const problems = new TrayProblems();
    problems.connectorHealth(health('rt', 'timed out'));
    problems.setWatchProblem('connectors.json: connectors.1.url: must be https');
    problems.setEngineProblem('Vigil could not open the team’s data folder: locked');
    expect(problems.summary()).toBe('Vigil could not open the team’s data folder: locked · connectors.json: connectors.1.url: must be https · rt: timed out');
    problems.setEngineProblem(null);
    problems.setWatchProblem(null);
    expect(problems.summary()).toBe('rt: timed out');
  });
});

describe('native notifications for suggestions', () => {
  beforeEach(() => resetFakeElectron());

  it('shows plain, short text and opens the ticket on click, once per cool-down', () => {
    const open = vi.fn();
    let now = new Date('2026-11-22T10:00:00Z');
    const notifier = new SuggestionNotifier(() => DEFAULT_NOTIFICATION_PREFS, () => null, open, () => now);
    const notice = { ticketId: 'T-9', kind: 'answer' as const, subject: 'VPN <b>drops</b>', text: 'Lower the MTU <img src=x>\u200b to 1380' };
    expect(notifier.offer(notice)).toEqual({ notify: true });
    const shown = FakeNotification.created[0]!;
    expect(shown.options.title).toBe('Suggested answer · VPN ‹b›drops‹/b›');
    expect(shown.options.body).toBe('Lower the MTU ‹img src=x› to 1380');
    expect(shown.show).toHaveBeenCalledOnce();
    shown.emit('click');
    expect(open).toHaveBeenCalledWith('T-9');
    expect(notifier.offer(notice)).toEqual({ notify: false, reason: 'cooldown' });
    now = new Date('2026-11-22T10:11:00Z');
    expect(notifier.offer(notice)).toEqual({ notify: true });
    expect(FakeNotification.created).toHaveLength(2);
  });

  it('stays quiet for the ticket the analyst is looking at', () => {
    const notifier = new SuggestionNotifier(() => DEFAULT_NOTIFICATION_PREFS, () => 'T-9', vi.fn());
    expect(notifier.offer({ ticketId: 'T-9', kind: 'alert', subject: null, text: 'x' })).toEqual({ notify: false, reason: 'looking_at_it' });
    expect(FakeNotification.created).toHaveLength(0);
  });

  it('shortens long text with an ellipsis', () => {
    expect(plainNotificationText('a'.repeat(300))).toHaveLength(180);
    expect(plainNotificationText('a'.repeat(300)).endsWith('…')).toBe(true);
  });
});

describe('the assist bubble', () => {
  beforeEach(() => resetFakeElectron());

  it('is a small always-on-top window with the same secure settings, on the #bubble view', () => {
    createAssistBubble({ preloadPath: '/p.cjs', entryUrl: 'app://vigil/index.html' });
    const bubble = FakeBrowserWindow.created[0]!;
    expect(bubble.options).toMatchObject({ alwaysOnTop: true, skipTaskbar: true, width: 380 });
    expect(bubble.options['webPreferences']).toEqual(secureWebPreferences('/p.cjs'));
    expect(bubble.setAlwaysOnTop).toHaveBeenCalledWith(true, 'floating');
    expect(bubble.loadURL).toHaveBeenCalledWith('app://vigil/index.html#bubble');
    expect(bubbleUrl('http://localhost:5173/')).toBe('http://localhost:5173/#bubble');
  });
});

describe('the global shortcut', () => {
  beforeEach(() => resetFakeElectron());

  it('registers the configured accelerator', () => {
    const press = vi.fn();
    expect(registerShowShortcut('CommandOrControl+Shift+Space', press)).toEqual({ registered: true, accelerator: 'CommandOrControl+Shift+Space' });
    const [accelerator, callback] = fakeElectron.globalShortcut.register.mock.calls[0]!;
    expect(accelerator).toBe('CommandOrControl+Shift+Space');
    callback();
    expect(press).toHaveBeenCalledOnce();
  });

  it('explains a shortcut another application owns, an invalid one, and a switched-off one', () => {
    fakeElectron.globalShortcut.register.mockReturnValueOnce(false);
    expect(registerShowShortcut('Alt+Space', vi.fn())).toEqual({
      registered: false,
      reason: 'Another application already uses Alt+Space; choose a different shortcut in the preferences.',
    });
    fakeElectron.globalShortcut.register.mockImplementationOnce(() => {
      throw new Error('conversion failure');
    });
    expect(registerShowShortcut('Hyper+Nope', vi.fn())).toMatchObject({ registered: false, reason: expect.stringContaining('is not a valid shortcut') });
    expect(registerShowShortcut('', vi.fn())).toMatchObject({ registered: false });
  });
});
