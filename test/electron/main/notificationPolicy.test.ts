import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATION_PREFS, notificationVerdict, type NotificationPrefs } from '../../../electron/main/notificationPolicy';

const now = new Date('2026-11-22T10:00:00Z');
const base = { ticketId: 'T-1', kind: 'answer' as const, focusedTicketId: null, now, lastNotifiedAt: null };
const prefs = (patch: Partial<NotificationPrefs> = {}): NotificationPrefs => ({ ...DEFAULT_NOTIFICATION_PREFS, ...patch });

describe('when a suggestion may notify', () => {
  it('notifies for an answer on a ticket the analyst is not looking at', () => {
    expect(notificationVerdict(prefs(), base)).toEqual({ notify: true });
  });

  it('stays quiet when switched off, in do-not-disturb, for a kind switched off, or on the ticket in view', () => {
    expect(notificationVerdict(prefs({ enabled: false }), base)).toEqual({ notify: false, reason: 'disabled' });
    expect(notificationVerdict(prefs({ doNotDisturb: true }), base)).toEqual({ notify: false, reason: 'do_not_disturb' });
    expect(notificationVerdict(prefs(), { ...base, kind: 'similar_case' })).toEqual({ notify: false, reason: 'kind_off' });
    expect(notificationVerdict(prefs(), { ...base, focusedTicketId: 'T-1' })).toEqual({ notify: false, reason: 'looking_at_it' });
  });

  it('ends a timed do-not-disturb by itself', () => {
    const timed = prefs({ doNotDisturb: true, dndUntil: '2026-11-22T09:59:00Z' });
    expect(notificationVerdict(timed, base)).toEqual({ notify: true });
    const running = prefs({ doNotDisturb: true, dndUntil: '2026-11-22T10:30:00Z' });
    expect(notificationVerdict(running, base)).toEqual({ notify: false, reason: 'do_not_disturb' });
  });

  it('does not notify twice for one ticket and kind within the cool-down', () => {
    const recently = new Date(now.getTime() - 5 * 60_000);
    const earlier = new Date(now.getTime() - 11 * 60_000);
    expect(notificationVerdict(prefs(), { ...base, lastNotifiedAt: recently })).toEqual({ notify: false, reason: 'cooldown' });
    expect(notificationVerdict(prefs(), { ...base, lastNotifiedAt: earlier })).toEqual({ notify: true });
  });
});
