/**
 * Wording of the desk: statuses, ages, authors and suggestion kinds, in one place so every view says the same.
 */
import type { Message, SuggestionKind, TicketStatus } from '../api/contractTypes';

const STATUS_LABELS: Record<TicketStatus, string> = {
  new: 'New',
  open: 'Open',
  pending: 'Waiting on customer',
  solved: 'Solved',
  closed: 'Closed',
};

export function statusLabel(status: TicketStatus): string {
  return STATUS_LABELS[status];
}

/** "just now", "5 min", "3 h", "2 d": how long since `iso`, as a queue shows it. */
export function ageLabel(iso: string, now: Date = new Date()): string {
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms) || ms < 60_000) return 'just now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

const AUTHOR_LABELS: Record<Message['author'], string> = {
  customer: 'Customer',
  analyst: 'Analyst',
  bot: 'Bot',
  system: 'System',
};

export function authorLabel(message: Message): string {
  return message.internal ? `${AUTHOR_LABELS[message.author]} (internal note)` : AUTHOR_LABELS[message.author];
}

const KIND_LABELS: Record<SuggestionKind, string> = {
  answer: 'Suggested answer',
  similar_case: 'Similar resolved case',
  article: 'Relevant article',
  next_step: 'Next step',
  followup: 'Follow-up',
  alert: 'Alert',
};

export function suggestionKindLabel(kind: SuggestionKind): string {
  return KIND_LABELS[kind];
}

/**
 * The card's one figure: how likely the suggestion answers the customer's message, as the engine estimates it from
 * how well and how clearly the knowledge matched (docs/engine.md, "Confidence"). Citations carry no second figure.
 */
export function confidenceLabel(confidence: number): string {
  return `Confidence ${Math.round(confidence * 100)}%`;
}

/** What the confidence means, for the label's tooltip. */
export const CONFIDENCE_HINT = "How likely this answers the customer's last message, estimated from how well the knowledge matched it";

const PRIORITY_WORDS: Record<string, string> = { P0: 'urgent', P1: 'high', P2: 'normal', P3: 'low' };

/**
 * An alert's priority (`P1`…), which its rule sets and its text starts with (core/assist/alerts.ts): what an alert
 * shows instead of a confidence, since a rule that fired is not more or less likely to be right.
 */
export function alertPriorityLabel(text: string): string | null {
  const priority = /^(P[0-3])\b/.exec(text)?.[1];
  return priority ? `Priority ${priority} · ${PRIORITY_WORDS[priority]}` : null;
}

/** The header figure of a card: a priority for alerts, nothing for reminders, the confidence otherwise. */
export function cardFigure(kind: SuggestionKind, text: string, confidence: number): { label: string; hint: string } | null {
  if (kind === 'alert') {
    const label = alertPriorityLabel(text);
    return label ? { label, hint: 'Set by the alert rule that fired' } : null;
  }
  if (kind === 'followup') return null;
  return { label: confidenceLabel(confidence), hint: CONFIDENCE_HINT };
}

export function waitingLabel(waiting: number): string {
  return `${waiting} ${waiting === 1 ? 'suggestion' : 'suggestions'} waiting`;
}
