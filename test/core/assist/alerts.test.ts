import { describe, expect, it } from 'vitest';
import { AlertEngine, DEFAULT_ALERT_RULES, type AlertRule } from '../../../core/assist/alerts';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MIN = 60_000;

function engine(rules: readonly AlertRule[] = DEFAULT_ALERT_RULES): AlertEngine {
  return new AlertEngine(rules, new HashedEmbedder());
}

describe('alerts', () => {
  it('raises one P1 alert when several customers report the same problem within the window, then stays quiet', async () => {
    const alerts = engine();
    const reports = ['The app crashes when I open the payments page', 'payments page crashes the app every time', 'Since this morning the app crashes on the payments screen'];
    expect(await alerts.onCustomerMessage({ ticketId: 'T-1', messageId: '1', text: reports[0]!, at: T0 })).toEqual([]);
    expect(await alerts.onCustomerMessage({ ticketId: 'T-9', messageId: '1', text: 'How do I change my address?', at: T0 + MIN })).toEqual([]);
    expect(await alerts.onCustomerMessage({ ticketId: 'T-2', messageId: '1', text: reports[1]!, at: T0 + 10 * MIN })).toEqual([]);
    const [raised] = await alerts.onCustomerMessage({ ticketId: 'T-3', messageId: '2', text: reports[2]!, at: T0 + 20 * MIN });
    expect(raised).toMatchObject({ ruleId: 'same-problem', priority: 'P1', ticketId: 'T-3', afterMessageId: '2', ticketIds: ['T-1', 'T-2', 'T-3'] });
    expect(raised?.text).toMatch(/^P1 Several customers report the same problem: 3 tickets in the last 120 min \(T-1, T-2, T-3\)/);
    // A fourth report of the same problem inside the suppression interval does not alert again.
    expect(await alerts.onCustomerMessage({ ticketId: 'T-4', messageId: '1', text: 'app crashes on payments page', at: T0 + 30 * MIN })).toEqual([]);
  });

  it('does not count reports older than the look-back window', async () => {
    const alerts = engine();
    await alerts.onCustomerMessage({ ticketId: 'T-1', messageId: '1', text: 'The app crashes when I open the payments page', at: T0 });
    await alerts.onCustomerMessage({ ticketId: 'T-2', messageId: '1', text: 'payments page crashes the app every time', at: T0 + 60 * MIN });
    expect(await alerts.onCustomerMessage({ ticketId: 'T-3', messageId: '1', text: 'the app crashes on the payments page', at: T0 + 150 * MIN })).toEqual([]);
  });

  it('flags business impact (P0, regex) and a furious customer (P1, few-shot), and ignores auto-replies', async () => {
    const alerts = engine();
    const impact = await alerts.onCustomerMessage({ ticketId: 'T-5', messageId: '1', text: 'Checkout is broken, we cannot process payments since 9am', at: T0 });
    expect(impact.map((a) => `${a.priority} ${a.ruleId}`)).toEqual(['P0 business-impact']);
    const angry = await alerts.onCustomerMessage({ ticketId: 'T-6', messageId: '3', text: 'I am so angry, this is a disgrace and totally unacceptable', at: T0 + MIN });
    expect(angry.map((a) => `${a.priority} ${a.ruleId}`)).toEqual(['P1 strongly-negative']);
    const calm = await alerts.onCustomerMessage({ ticketId: 'T-7', messageId: '1', text: 'My card was declined at the shop', at: T0 + 2 * MIN });
    expect(calm).toEqual([]);
    const away = await alerts.onCustomerMessage({ ticketId: 'T-8', messageId: '1', text: 'Automatic reply: I am out of office, revenue questions to my colleague', at: T0 + 3 * MIN });
    expect(away).toEqual([]);
  });

  it('names the rule and field when a rule is broken', () => {
    const bad: AlertRule = { id: 'oops', name: 'x', priority: 'P2', mode: 'detect', match: { type: 'regex', pattern: '(unclosed' }, lookbackMs: 0, minTickets: 1, suppressMs: 0 };
    expect(() => new AlertEngine([bad])).toThrow(/Alert rule "oops": match.pattern is not a valid regular expression/);
  });
});
