// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeVigilApi, sampleDetail, sampleInsights, sampleSuggestion, sampleTickets } from './fakeVigilApi';
import { button, byName, click, mountApp, type } from './mountApp';

const queueItem = (container: HTMLElement, subject: string) =>
  [...container.querySelectorAll<HTMLButtonElement>('button.queue-item')].find((b) => b.textContent?.includes(subject))!;

describe('the desk', () => {
  it('lists the watched tickets with status, id and a badge where help waits', async () => {
    const { container } = await mountApp();
    const queue = byName(container, 'Ticket queue');
    expect(queue.querySelector('.queue-summary')?.textContent).toBe('2 watched tickets');
    const vpn = queueItem(container, 'VPN drops after sleep');
    expect(vpn.textContent).toContain('Open');
    expect(vpn.textContent).toContain('rt:4821');
    expect(vpn.querySelector('.badge')?.getAttribute('aria-label')).toBe('1 suggestion waiting');
    expect(queueItem(container, 'Invoice copy').textContent).toContain('Waiting on customer');
    expect(queueItem(container, 'Invoice copy').querySelector('.badge')).toBeNull();
    // The Desk tab carries the total.
    expect(container.querySelector('[role="tab"][aria-selected="true"]')?.textContent).toBe('Desk1');
  });

  it('opens a ticket: the conversation, then the suggestion with its cited precedent', async () => {
    const { container, api } = await mountApp();
    await click(queueItem(container, 'VPN drops after sleep'));
    expect(api.openTicket).toHaveBeenCalledWith({ ticketId: 'rt:4821' });
    expect(byName(container, 'Conversation').textContent).toContain('Every time my laptop wakes up');
    const card = byName(container, 'Suggested answer');
    expect(card.textContent).toContain('Turn off power saving for the Wi-Fi adapter');
    expect(card.textContent).toContain('Confidence 82%');
    const cited = byName(card, 'Cited knowledge').textContent!;
    expect(cited).toContain('VPN disconnects after the laptop wakes from sleep');
    expect(cited).toContain('Ticket T-4100');
    expect(cited).not.toMatch(/score/);
    expect(queueItem(container, 'VPN drops after sleep').querySelector('.badge')).toBeNull();
  });

  it('records like, dislike with a reason, and dismiss; keys work on a focused card', async () => {
    const { container, api } = await mountApp();
    await click(queueItem(container, 'VPN drops after sleep'));
    const card = () => byName(container, 'Suggested answer');
    await click(button(card(), 'Like'));
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: 'rt:4821', suggestionId: sampleSuggestion.id, action: 'liked' });
    expect(button(card(), 'Like').getAttribute('aria-pressed')).toBe('true');

    await click(button(card(), 'Dislike'));
    await type(byName<HTMLInputElement>(container, 'What is wrong with it? (optional)'), 'Wrong product: this is the mobile app');
    await act(async () => {
      byName<HTMLFormElement>(container, 'Why is this suggestion wrong?').requestSubmit();
    });
    expect(api.sendFeedback).toHaveBeenLastCalledWith({
      ticketId: 'rt:4821',
      suggestionId: sampleSuggestion.id,
      action: 'disliked',
      reason: 'Wrong product: this is the mobile app',
    });

    await act(async () => {
      card().dispatchEvent(new KeyboardEvent('keydown', { key: 'x', bubbles: true }));
    });
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: 'rt:4821', suggestionId: sampleSuggestion.id, action: 'dismissed' });
  });

  it('says so when the engine refuses feedback', async () => {
    const api = fakeVigilApi();
    api.sendFeedback.mockRejectedValue(new Error('No suggestion x on ticket rt:4821; it may have been removed. Reload the ticket.'));
    const { container } = await mountApp(api);
    await click(queueItem(container, 'VPN drops after sleep'));
    await click(button(byName(container, 'Suggested answer'), 'Like'));
    expect(container.querySelector('.suggestions [role="alert"]')?.textContent).toContain('No suggestion x on ticket rt:4821');
  });

  it('pops a toast for a suggestion on another ticket, and opens that ticket from it', async () => {
    const { container, api } = await mountApp();
    await click(queueItem(container, 'Invoice copy'));
    api.openTicket.mockResolvedValueOnce(sampleDetail);
    await act(async () => {
      api.push({ type: 'suggestion', ticketId: 'rt:4821', subject: 'VPN drops after sleep', suggestionId: 's-9', kind: 'answer', text: 'Turn off power saving.', ticket: sampleTickets[0]!, shown: { ...sampleSuggestion, id: 's-9' } });
    });
    const toasts = byName(container, 'New suggestions');
    expect(toasts.textContent).toContain('Suggested answer · VPN drops after sleep');
    expect(toasts.textContent).toContain('Turn off power saving.');
    await click(button(toasts, 'Open ticket'));
    expect(api.openTicket).toHaveBeenLastCalledWith({ ticketId: 'rt:4821' });
    expect(byName(container, 'New suggestions').children).toHaveLength(0);
  });

  it('refreshes the open ticket in place, without a toast, when help arrives for it', async () => {
    const { container, api } = await mountApp();
    await click(queueItem(container, 'VPN drops after sleep'));
    const calls = api.openTicket.mock.calls.length;
    await act(async () => {
      api.push({ type: 'suggestion', ticketId: 'rt:4821', subject: 'VPN drops after sleep', suggestionId: 's-2', kind: 'article', text: 'x', ticket: sampleTickets[0]!, shown: { ...sampleSuggestion, id: 's-2' } });
    });
    expect(api.openTicket.mock.calls.length).toBe(calls + 1);
    expect(byName(container, 'New suggestions').children).toHaveLength(0);
  });

  it('updates the queue from the tickets a change carries, without listing them again, and switches screens with Alt+1 / Alt+2', async () => {
    const { container, api } = await mountApp();
    await act(async () => api.push({ type: 'tickets-changed', tickets: [{ ...sampleTickets[0]!, subject: 'VPN drops after sleep, again' }] }));
    expect(container.textContent).toContain('VPN drops after sleep, again');
    expect(api.listTickets).toHaveBeenCalledTimes(1);
    await act(async () => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: '2', altKey: true }));
    });
    expect(byName(container, 'Search knowledge')).toBeTruthy();
    await act(async () => {
      window.dispatchEvent(new KeyboardEvent('keydown', { key: '1', altKey: true }));
    });
    expect(byName(container, 'Ticket queue')).toBeTruthy();
  });

  it('the assist bubble follows the ticket with help waiting', async () => {
    const { container, api } = await mountApp(fakeVigilApi(), { bubble: true });
    await act(async () => undefined);
    expect(api.openTicket).toHaveBeenCalledWith({ ticketId: 'rt:4821' });
    const bubble = byName(container, 'Vigil assist');
    expect(bubble.querySelector('h1')?.textContent).toBe('VPN drops after sleep');
    expect(byName(bubble, 'Suggested answer').textContent).toContain('Turn off power saving');
  });
});

describe('citations on a suggestion', () => {
  it('shows as sources the citations the engine marked, and keeps the others one click further', async () => {
    const { splitCitations } = await import('../../renderer/src/components/SuggestionCard');
    const c = (entryId: string, source: boolean) => ({ ...sampleSuggestion.citations[0]!, entryId, source });
    const { sources, others } = splitCitations([c('a', true), c('b', true), c('c', false), c('d', false)]);
    expect(sources.map((s) => s.entryId)).toEqual(['a', 'b']);
    expect(others.map((s) => s.entryId)).toEqual(['c', 'd']);
  });
});

describe('insights', () => {
  it('shows totals, the acceptance rate and both charts with text alternatives', async () => {
    const { container, api } = await mountApp(fakeVigilApi(), { view: 'insights' });
    await act(async () => undefined);
    expect(api.insights).toHaveBeenCalledOnce();
    expect(container.querySelector('.insights h2')?.textContent).toBe('Insights');
    const text = container.querySelector('.insights')!.textContent!;
    expect(text).toContain('Suggestions shown10');
    expect(text).toContain('Acceptance rate75%');
    const charts = [...container.querySelectorAll('svg[role="img"]')].map((c) => c.getAttribute('aria-label'));
    expect(charts).toEqual([
      'Suggestions per day over 3 days: 10 shown, 6 used.',
      'Knowledge entries grew from 1,203 to 1,234 over 3 days.',
    ]);
    // The quiet day (nothing shown, nothing learned) is not a row of zeros.
    expect([...container.querySelectorAll('.insight-table tbody th')].map((th) => th.textContent)).toEqual(['2026-11-20', '2026-11-22']);
  });

  it('says which confidence gate is in force: recalibrated from the team reactions, or the default', async () => {
    const api = fakeVigilApi();
    const gate = { state: 'recalibrated' as const, reactions: 40, used: 28, rejected: 12, needed: 30, threshold: 0.561, defaultThreshold: 0.5, shift: -0.245 };
    api.insights.mockResolvedValue({ ...sampleInsights, gate: { ...gate, summary: 'gate recalibrated from 40 reactions: threshold 0.561 (default 0.5)' } });
    const { container } = await mountApp(api, { view: 'insights' });
    await act(async () => undefined);
    expect(container.querySelector('.insights .gate-calibration')?.textContent).toBe('Confidence gate: gate recalibrated from 40 reactions: threshold 0.561 (default 0.5).');
  });

  it('says what will be counted, and how it gets there, before anything has happened', async () => {
    const api = fakeVigilApi();
    api.insights.mockResolvedValue({
      suggestions: Array.from({ length: 14 }, (_, i) => ({ day: `2026-11-${String(i + 10)}`, shown: 0, used: 0, rejected: 0 })),
      totals: { shown: 0, used: 0, rejected: 0, acceptanceRate: null },
      knowledge: Array.from({ length: 14 }, (_, i) => ({ day: `2026-11-${String(i + 10)}`, count: 0, total: 0 })),
    });
    const { container } = await mountApp(api, { view: 'insights' });
    await act(async () => undefined);
    expect(container.querySelector('.insights .empty-state')?.textContent).toMatch(/Nothing to count yet\. Once tickets come in through a connector/);
    expect(container.querySelector('.insight-table')).toBeNull();
  });
});

describe('posting a suggestion to the helpdesk', () => {
  it('posts only on a click, and says why when the connector does not allow it', async () => {
    const api = fakeVigilApi();
    const { container } = await mountApp(api);
    await click(queueItem(container, 'VPN drops after sleep'));
    expect(api.publishSuggestion).not.toHaveBeenCalled();
    api.publishSuggestion.mockRejectedValueOnce(new Error('Posting notes is off for "rt". Set "writeBack": true for it in connectors.json to allow it.'));
    await click(button(byName(container, 'Suggested answer'), 'Post as internal note'));
    expect(api.publishSuggestion).toHaveBeenCalledWith({ ticketId: 'rt:4821', suggestionId: sampleSuggestion.id });
    expect(container.querySelector('.suggestions [role="alert"]')?.textContent).toContain('Posting notes is off for "rt"');
    await click(button(byName(container, 'Suggested answer'), 'Post as internal note'));
    expect(button(byName(container, 'Suggested answer'), 'Posted as note').disabled).toBe(true);
  });
});

describe('an empty queue', () => {
  it('says where tickets come from and takes the analyst to the connector settings', async () => {
    const api = fakeVigilApi();
    api.listTickets.mockResolvedValue([]);
    const { container } = await mountApp(api);
    await act(async () => undefined);
    const queue = byName(container, 'Ticket queue');
    expect(queue.textContent).toContain('Tickets from your connectors appear here');
    await click(button(queue, 'Connect a helpdesk in Settings'));
    expect(container.querySelector('[role="tab"][aria-selected="true"]')?.textContent).toBe('Settings');
  });
});
