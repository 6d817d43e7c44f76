/**
 * Follow-ups: where each open ticket stands (waiting on the analyst, waiting on the customer, a promise made, idle)
 * and which reminder is due when. Pure functions of the ticket's messages and a time you pass in: the app calls
 * them on a timer, the replay with each message's arrival time, tests with any time they like.
 *
 * Times are read from the messages' `at`; a message without one does not move the clocks. Promise deadlines written
 * as days or times of day ("tomorrow", "by Friday", "end of day") are read in UTC: tickets carry no time zone.
 */
import type { Message, Ticket } from '../formats/schemas';
import { isClosedStatus } from '../formats/schemas';
import type { AssistDecision } from './assistant';

export type ProgressState = 'waiting_on_analyst' | 'waiting_on_customer' | 'promised' | 'idle' | 'closed' | 'unknown';
export type FollowupReason = 'promise_due' | 'customer_waiting' | 'customer_silent' | 'idle';

export interface FollowupPolicy {
  /** A customer's message unanswered this long raises `customer_waiting`. */
  analystReplyMs: number;
  /** The analyst's question unanswered by the customer this long raises `customer_silent` (follow up or close). */
  customerSilenceMs: number;
  /** No message from anyone this long raises `idle`. */
  idleMs: number;
  /** A promise without a stated time is due this long after it was made. */
  defaultPromiseMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Defaults: a first-reply target of 4 working hours is common in helpdesk SLAs; 3 days of customer silence; 5 idle days. */
export const DEFAULT_FOLLOWUP_POLICY: FollowupPolicy = { analystReplyMs: 4 * HOUR, customerSilenceMs: 3 * DAY, idleMs: 5 * DAY, defaultPromiseMs: DAY };

export interface AnalystPromise {
  /** The analyst's message that made it. */
  messageId: string;
  /** The promising sentence. */
  text: string;
  madeAt: number;
  dueAt: number;
}

export interface TicketProgress {
  state: ProgressState;
  /** The last public message (internal notes and system messages do not count as replies). */
  lastMessage: Message | null;
  lastAt: number | null;
  /** An analyst's promise not yet followed by another analyst message. */
  promise: AnalystPromise | null;
}

export interface FollowupReminder {
  ticketId: string;
  reason: FollowupReason;
  /** The message the reminder is about. */
  afterMessageId: string;
  /** When it became due (ms since epoch). */
  dueAt: number;
  text: string;
  /** Raised once per key. */
  key: string;
}

const PROMISE = /\b(i|we)(\s*(will|'ll|’ll|shall)|\s+am going to|\s+are going to)\s+(call|ring|phone|get back|come back|update|follow up|check|look into|send|let you know|investigate|fix|deploy|escalate|contact|reply|confirm)\b[^.!?\n]*/i;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function timeOf(message: Message): number | null {
  if (!message.at) return null;
  const t = Date.parse(message.at);
  return Number.isNaN(t) ? null : t;
}

function endOfDayUtc(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 17, 0, 0);
}

/** When a promise sentence says it will be kept, from `madeAt`; null when it names no time. */
export function promiseDeadline(sentence: string, madeAt: number): number | null {
  const s = sentence.toLowerCase();
  const amount = /\b(?:in|within|next)\s+(\d+|an?|one|two|three|few)\s*(minute|min|hour|hr|day|business day|working day|week)s?\b/.exec(s);
  if (amount) {
    const words: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, few: 3 };
    const n = Number(amount[1]) || words[amount[1] ?? ''] || 1;
    const unit = amount[2] ?? 'hour';
    const ms = unit.startsWith('min') ? 60_000 : unit === 'hour' || unit === 'hr' ? HOUR : unit === 'week' ? 7 * DAY : DAY;
    return madeAt + n * ms;
  }
  if (/\b(end of (the )?day|eod|today|this afternoon|later today)\b/.test(s)) return Math.max(endOfDayUtc(madeAt), madeAt + HOUR);
  if (/\btomorrow\b/.test(s)) return endOfDayUtc(madeAt + DAY);
  const weekday = WEEKDAYS.findIndex((d) => new RegExp(`\\b(by|on|until|next)?\\s*${d}\\b`).test(s));
  if (weekday >= 0) {
    const today = new Date(madeAt).getUTCDay();
    const ahead = (weekday - today + 7) % 7 || 7;
    return endOfDayUtc(madeAt + ahead * DAY);
  }
  return null;
}

/** Finds a promise ("I'll call you back tomorrow") in an analyst's message. */
export function findPromise(message: Message, policy: FollowupPolicy = DEFAULT_FOLLOWUP_POLICY): AnalystPromise | null {
  if (message.author !== 'analyst') return null;
  const madeAt = timeOf(message);
  const match = PROMISE.exec(message.text);
  if (!match || madeAt === null) return null;
  const sentence = match[0].trim();
  return { messageId: message.id, text: sentence, madeAt, dueAt: promiseDeadline(sentence, madeAt) ?? madeAt + policy.defaultPromiseMs };
}

/** Where a ticket stands at time `now`, from its messages up to then. */
export function ticketProgress(ticket: Ticket, now: number, policy: FollowupPolicy = DEFAULT_FOLLOWUP_POLICY): TicketProgress {
  if (isClosedStatus(ticket.status)) return { state: 'closed', lastMessage: null, lastAt: null, promise: null };
  let last: Message | null = null;
  let lastAt: number | null = null;
  let promise: AnalystPromise | null = null;
  for (const message of ticket.messages) {
    const at = timeOf(message);
    if (at !== null && at > now) break;
    if (message.internal || message.author === 'system' || message.author === 'bot') continue;
    last = message;
    lastAt = at ?? lastAt;
    if (message.author === 'analyst') promise = findPromise(message, policy);
  }
  if (!last) return { state: 'unknown', lastMessage: null, lastAt, promise: null };
  let state: ProgressState = promise ? 'promised' : last.author === 'customer' ? 'waiting_on_analyst' : 'waiting_on_customer';
  if (lastAt !== null && now - lastAt >= policy.idleMs) state = 'idle';
  return { state, lastMessage: last, lastAt, promise };
}

function hours(ms: number): string {
  return ms >= 2 * DAY ? `${Math.round(ms / DAY)} days` : `${Math.max(1, Math.round(ms / HOUR))} h`;
}

/** The reminders due for a ticket at `now` (at most one per reason and anchor message). */
export function dueFollowups(ticket: Ticket, now: number, policy: FollowupPolicy = DEFAULT_FOLLOWUP_POLICY): FollowupReminder[] {
  const progress = ticketProgress(ticket, now, policy);
  const { lastMessage: last, lastAt, promise } = progress;
  if (!last || lastAt === null || progress.state === 'closed') return [];
  const due: FollowupReminder[] = [];
  const add = (reason: FollowupReason, anchor: string, dueAt: number, text: string): void => {
    due.push({ ticketId: ticket.id, reason, afterMessageId: last.id, dueAt, text, key: `${ticket.id}:${reason}:${anchor}` });
  };
  if (promise && now >= promise.dueAt) {
    add('promise_due', promise.messageId, promise.dueAt, `You promised: "${promise.text}" (${new Date(promise.madeAt).toISOString()}). It is due now.`);
  }
  const waited = now - lastAt;
  if (last.author === 'customer' && waited >= policy.analystReplyMs) {
    add('customer_waiting', last.id, lastAt + policy.analystReplyMs, `The customer has been waiting for a reply for ${hours(waited)}.`);
  }
  if (last.author === 'analyst' && !promise && waited >= policy.customerSilenceMs) {
    add('customer_silent', last.id, lastAt + policy.customerSilenceMs, `No reply from the customer for ${hours(waited)}: follow up, or close the ticket.`);
  }
  if (waited >= policy.idleMs) add('idle', last.id, lastAt + policy.idleMs, `No activity on this ticket for ${hours(waited)}.`);
  return due;
}

/** Raises each reminder once: remembers the keys already raised (per process; a restart may raise one again). */
export class FollowupTracker {
  private readonly raised = new Set<string>();

  constructor(private readonly policy: FollowupPolicy = DEFAULT_FOLLOWUP_POLICY) {}

  /** The reminders newly due for `ticket` at `now`. */
  poll(ticket: Ticket, now: number): FollowupReminder[] {
    const fresh = dueFollowups(ticket, now, this.policy).filter((r) => !this.raised.has(r.key));
    for (const r of fresh) this.raised.add(r.key);
    return fresh;
  }
}

/** A due reminder as a shown `followup` decision (the desk shows it like a suggestion). */
export function followupDecision(r: FollowupReminder): AssistDecision {
  return {
    ticketId: r.ticketId,
    afterMessageId: r.afterMessageId,
    shown: true,
    reason: r.reason,
    kind: 'followup' as const,
    text: r.text,
    confidence: 1,
    citations: [],
    latencyMs: 0,
    stage: 'rules' as const,
    gates: [{ gate: 'followup' as const, verdict: 'pass' as const, detail: `due since ${new Date(r.dueAt).toISOString()}` }],
  };
}
