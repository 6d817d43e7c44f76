import { describe, expect, it } from 'vitest';
import { dueFollowups, FollowupTracker, promiseDeadline, ticketProgress } from '../../../core/assist/followups';
import type { Ticket } from '../../../core/formats/schemas';

const T0 = Date.parse('2026-03-02T09:00:00Z'); // a Monday
const at = (hours: number): string => new Date(T0 + hours * 3_600_000).toISOString();
const H = 3_600_000;

function ticket(messages: Array<[author: 'customer' | 'analyst', text: string, hours: number, internal?: boolean]>, status: Ticket['status'] = 'open'): Ticket {
  return { id: 'T-7', status, messages: messages.map(([author, text, h, internal], i) => ({ id: String(i + 1), author, text, at: at(h), ...(internal ? { internal } : {}) })) };
}

describe('follow-ups', () => {
  it('reads promise deadlines the way analysts write them', () => {
    expect(promiseDeadline('I will call you back in 2 hours', T0)).toBe(T0 + 2 * H);
    expect(promiseDeadline('we will get back to you within one business day', T0)).toBe(T0 + 24 * H);
    expect(new Date(promiseDeadline("I'll update you tomorrow", T0)!).toISOString()).toBe('2026-03-03T17:00:00.000Z');
    expect(new Date(promiseDeadline('we will deploy the fix by Friday', T0)!).toISOString()).toBe('2026-03-06T17:00:00.000Z');
    expect(new Date(promiseDeadline('I will check by end of day', T0)!).toISOString()).toBe('2026-03-02T17:00:00.000Z');
    expect(promiseDeadline('I will look into it', T0)).toBeNull();
  });

  it('tracks who the ticket is waiting on, and raises a reminder when the customer waits too long', () => {
    const t = ticket([['customer', 'My card was declined twice', 0]]);
    expect(ticketProgress(t, T0 + H).state).toBe('waiting_on_analyst');
    expect(dueFollowups(t, T0 + 3 * H)).toEqual([]);
    const [reminder] = dueFollowups(t, T0 + 5 * H);
    expect(reminder).toMatchObject({ reason: 'customer_waiting', afterMessageId: '1', dueAt: T0 + 4 * H, text: 'The customer has been waiting for a reply for 5 h.' });
  });

  it('reminds the analyst of a promised callback when it falls due, and not once they have written again', () => {
    const promised = ticket([
      ['customer', 'The export still fails', 0],
      ['analyst', "Thanks, I'll call you back in 2 hours with the fix.", 1],
      ['analyst', 'internal: asked the dev team', 1.5, true],
    ]);
    expect(ticketProgress(promised, T0 + 2 * H).state).toBe('promised');
    expect(dueFollowups(promised, T0 + 2 * H)).toEqual([]);
    expect(dueFollowups(promised, T0 + 3 * H).map((r) => r.reason)).toEqual(['promise_due']);
    expect(dueFollowups(promised, T0 + 3 * H)[0]?.text).toMatch(/^You promised: "I'll call you back in 2 hours with the fix"/);
    const kept = ticket([...promised.messages.map((m) => [m.author, m.text, (Date.parse(m.at!) - T0) / H, m.internal] as never), ['analyst', 'The fix is deployed, please retry.', 2.5]]);
    expect(dueFollowups(kept, T0 + 3 * H)).toEqual([]);
  });

  it('suggests following up with a silent customer, then flags the ticket idle, each once', () => {
    const t = ticket([
      ['customer', 'Login fails', 0],
      ['analyst', 'Which browser do you use?', 1],
    ]);
    expect(ticketProgress(t, T0 + 2 * H).state).toBe('waiting_on_customer');
    const tracker = new FollowupTracker();
    expect(tracker.poll(t, T0 + 48 * H)).toEqual([]);
    expect(tracker.poll(t, T0 + 74 * H).map((r) => r.reason)).toEqual(['customer_silent']);
    expect(tracker.poll(t, T0 + 80 * H)).toEqual([]);
    expect(tracker.poll(t, T0 + 122 * H).map((r) => r.reason)).toEqual(['idle']);
    expect(ticketProgress(t, T0 + 122 * H).state).toBe('idle');
    expect(dueFollowups({ ...t, status: 'solved' }, T0 + 200 * H)).toEqual([]);
  });
});
