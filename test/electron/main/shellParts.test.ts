/** Tray, notifications, assist bubble and global shortcut, with `electron` mocked (see fakeElectron.ts). */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeElectron, FakeBrowserWindow, FakeNotification, FakeTray, resetFakeElectron } from '../fakeElectron';
import { bubbleUrl, createAssistBubble } from '../../../electron/main/bubble';
import { DEFAULT_NOTIFICATION_PREFS } from '../../../electron/main/notificationPolicy';
import { plainNotificationText, SuggestionNotifier } from '../../../electron/main/notifier';
import { registerShowShortcut } from '../../../electron/main/shortcut';
import { trayMenuTemplate, trayTooltip, VigilTray } from '../../../electron/main/tray';
import { secureWebPreferences } from '../../../electron/main/window';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const actions = () => ({ showWindow: vi.fn(), showBubble: vi.fn(), setDoNotDisturb: vi.fn(), quit: vi.fn() });

describe('the tray icon', () => {
  beforeEach(() => resetFakeElectron());

  it('says how many suggestions wait, the mode and do-not-disturb', () => {
    expect(trayTooltip({ waiting: 0, mode: 'retrieval-only', doNotDisturb: false, problem: null })).toBe(
      'Vigil · no suggestions waiting · retrieval-only',
    );
    expect(trayTooltip({ waiting: 3, mode: 'llm', doNotDisturb: true, problem: null })).toBe(
      'Vigil · 3 suggestions waiting · local LLM ready · do not disturb',
    );
    expect(trayTooltip({ waiting: 3, mode: 'llm', doNotDisturb: false, problem: 'the RT connector cannot sign in' })).toContain(
      'needs attention: the RT connector cannot sign in',
    );
  });

  it('offers open, bubble, do-not-disturb and quit, each doing what it says', () => {
    const a = actions();
    const menu = trayMenuTemplate({ waiting: 2, mode: 'llm', doNotDisturb: false, problem: null }, a);
    const byLabel = new Map(menu.filter((i) => i.label).map((i) => [i.label!, i]));
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
  });

  it('renders its state into the real tray and brings the window forward on click', () => {
    const a = actions();
    const tray = new VigilTray('/opt/vigil/resources/tray.png', a);
    const fake = FakeTray.created[0]!;
    expect(fake.image).toEqual({ path: '/opt/vigil/resources/tray.png' });
    tray.update({ waiting: 1, mode: 'retrieval-only' });
    expect(fake.setToolTip).toHaveBeenLastCalledWith('Vigil · 1 suggestion waiting · retrieval-only');
    fake.emit('click');
    expect(a.showWindow).toHaveBeenCalledOnce();
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
