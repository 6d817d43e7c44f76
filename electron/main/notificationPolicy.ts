/**
 * When a suggestion may interrupt the analyst with a native notification. Vigil pops up only when it helps:
 * never while the analyst is already looking at that ticket, never in do-not-disturb, never for a kind they
 * switched off, and never twice for the same ticket and kind within the cool-down.
 */
import type { SuggestionKind } from '../../core/formats/schemas';

export interface NotificationPrefs {
  /** Master switch for native notifications. */
  enabled: boolean;
  /** Silences every notification until it is switched off, or until `dndUntil` when that is set. */
  doNotDisturb: boolean;
  /** ISO time at which do-not-disturb ends by itself; null for "until I switch it off". */
  dndUntil: string | null;
  /** Per suggestion kind: whether it may notify. */
  kinds: Record<SuggestionKind, boolean>;
  /** Minutes before the same ticket may notify again for the same kind. */
  cooldownMinutes: number;
}

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = Object.freeze({
  enabled: true,
  doNotDisturb: false,
  dndUntil: null,
  // Answers, follow-ups and alerts are worth an interruption; lists of similar cases and articles wait in the app.
  kinds: Object.freeze({ answer: true, similar_case: false, article: false, next_step: false, followup: true, alert: true }),
  cooldownMinutes: 10,
}) as NotificationPrefs;

export interface NotificationCandidate {
  ticketId: string;
  kind: SuggestionKind;
  /** The ticket the analyst has open in Vigil's focused window, if any. */
  focusedTicketId: string | null;
  now: Date;
  /** When this ticket last notified for this kind, if ever. */
  lastNotifiedAt: Date | null;
}

export type NotificationVerdict =
  | { notify: true }
  | { notify: false; reason: 'disabled' | 'do_not_disturb' | 'kind_off' | 'looking_at_it' | 'cooldown' };

export function isDoNotDisturb(prefs: NotificationPrefs, now: Date): boolean {
  if (!prefs.doNotDisturb) return false;
  if (prefs.dndUntil === null) return true;
  return now.getTime() < Date.parse(prefs.dndUntil);
}

export function notificationVerdict(prefs: NotificationPrefs, c: NotificationCandidate): NotificationVerdict {
  if (!prefs.enabled) return { notify: false, reason: 'disabled' };
  if (isDoNotDisturb(prefs, c.now)) return { notify: false, reason: 'do_not_disturb' };
  if (!prefs.kinds[c.kind]) return { notify: false, reason: 'kind_off' };
  if (c.focusedTicketId === c.ticketId) return { notify: false, reason: 'looking_at_it' };
  if (c.lastNotifiedAt && c.now.getTime() - c.lastNotifiedAt.getTime() < prefs.cooldownMinutes * 60_000) {
    return { notify: false, reason: 'cooldown' };
  }
  return { notify: true };
}
