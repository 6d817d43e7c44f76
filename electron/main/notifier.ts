/**
 * Native notifications for suggestions, under the analyst's preferences (notificationPolicy.ts). Suggestion
 * text comes from tickets and knowledge, so it is untrusted: it is flattened to plain text and shortened before
 * it reaches the desktop's notification daemon, some of which render markup.
 */
import { Notification } from 'electron';
import type { SuggestionKind } from '../../core/formats/schemas';
import { notificationVerdict, type NotificationPrefs, type NotificationVerdict } from './notificationPolicy';

/** Longest notification body; the full suggestion is one click away in the app. */
export const NOTIFICATION_BODY_CHARS = 180;

const KIND_TITLES: Record<SuggestionKind, string> = {
  answer: 'Suggested answer',
  similar_case: 'Similar resolved case',
  article: 'Relevant article',
  next_step: 'Next step',
  followup: 'Follow-up due',
  alert: 'Alert',
};

export interface SuggestionNotice {
  ticketId: string;
  kind: SuggestionKind;
  /** The ticket's subject, if known. */
  subject: string | null;
  text: string;
}

/** Plain, short text: no markup characters, no control or zero-width characters, collapsed whitespace. */
export function plainNotificationText(text: string, max = NOTIFICATION_BODY_CHARS): string {
  const flat = text
    // Control characters, zero-width and bidirectional marks: nothing a notification should carry.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, ' ')
    .replace(/[<>&]/g, (c) => ({ '<': '‹', '>': '›', '&': '+' })[c] ?? c)
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export class SuggestionNotifier {
  private readonly lastNotified = new Map<string, Date>();

  constructor(
    private readonly prefs: () => NotificationPrefs,
    private readonly focusedTicketId: () => string | null,
    private readonly onOpen: (ticketId: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Shows a notification if the preferences allow it; returns the verdict either way. */
  offer(notice: SuggestionNotice): NotificationVerdict {
    const key = `${notice.ticketId}\u0000${notice.kind}`;
    const now = this.now();
    const verdict = notificationVerdict(this.prefs(), {
      ticketId: notice.ticketId,
      kind: notice.kind,
      focusedTicketId: this.focusedTicketId(),
      now,
      lastNotifiedAt: this.lastNotified.get(key) ?? null,
    });
    if (!verdict.notify || !Notification.isSupported()) return verdict;
    this.lastNotified.set(key, now);
    const title = `${KIND_TITLES[notice.kind]} · ${plainNotificationText(notice.subject ?? notice.ticketId, 60)}`;
    const notification = new Notification({ title, body: plainNotificationText(notice.text), silent: notice.kind !== 'alert' });
    notification.on('click', () => this.onOpen(notice.ticketId));
    notification.show();
    return verdict;
  }
}
