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

export function confidenceLabel(confidence: number): string {
  return `${Math.round(confidence * 100)}% confident`;
}

export function waitingLabel(waiting: number): string {
  return `${waiting} ${waiting === 1 ? 'suggestion' : 'suggestions'} waiting`;
}
