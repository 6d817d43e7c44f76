// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeVigilApi, sampleReview } from './fakeVigilApi';
import { button, byName, click, mountApp } from './mountApp';

const key = async (element: HTMLElement, k: string, init: KeyboardEventInit = {}) =>
  act(async () => {
    element.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, ...init }));
  });

describe('the review queue', () => {
  it('lists learned entries with their source and confidence, and flags a conflict', async () => {
    const { container, api } = await mountApp(fakeVigilApi(), { view: 'knowledge' });
    await act(async () => undefined);
    expect(api.reviewQueue).toHaveBeenCalled();
    const list = byName(container, 'Entries to review');
    expect(list.querySelectorAll('article')).toHaveLength(2);
    const first = byName(container, 'The VPN drops every few minutes on hotel wifi');
    expect(first.textContent).toContain('from rt:4790 · 74% confident');
    expect(first.textContent).toContain('Set the VPN client MTU to 1380');
    expect(byName(container, 'Two-factor codes do not arrive').textContent).toContain('Conflicts with kb-2fa');
  });

  it('heads an entry learned from a ticket with its subject, the customer’s words below, not run together', async () => {
    const api = fakeVigilApi();
    api.reviewQueue.mockResolvedValue([
      { ...sampleReview[0]!, question: 'Printer\nthe printer on the 3rd floor says paper jam but there is no paper stuck anywhere.' },
    ]);
    const { container } = await mountApp(api, { view: 'knowledge' });
    await act(async () => undefined);
    const item = byName(container, 'Printer');
    expect(item.querySelector('h3')?.textContent).toBe('Printer');
    expect(item.querySelector('.review-question')?.textContent).toBe('the printer on the 3rd floor says paper jam but there is no paper stuck anywhere.');
  });

  it('says what will appear in an empty queue, and how it gets there', async () => {
    const api = fakeVigilApi();
    api.reviewQueue.mockResolvedValue([]);
    const { container } = await mountApp(api, { view: 'knowledge' });
    await act(async () => undefined);
    expect(container.querySelector('.review .empty-state')?.textContent).toMatch(/When a ticket is closed, what the analyst answered is learned/);
  });

  it('approves with a click and rejects with R, each reaching the engine', async () => {
    const api = fakeVigilApi();
    const { container } = await mountApp(api, { view: 'knowledge' });
    await act(async () => undefined);
    await click(button(byName(container, 'Decide on qa-rt:4790'), 'Approve'));
    expect(api.reviewEntry).toHaveBeenLastCalledWith({ entryId: 'qa-rt:4790', decision: 'approve' });
    expect(byName(container, 'Entries to review').querySelectorAll('article')).toHaveLength(1);
    api.reviewEntry.mockResolvedValueOnce([]);
    await key(byName(container, 'Two-factor codes do not arrive'), 'r');
    expect(api.reviewEntry).toHaveBeenLastCalledWith({ entryId: 'qa-rt:4791', decision: 'reject' });
    expect(container.querySelector('.review')?.textContent).toContain('Nothing waiting for review.');
  });

  it('edits with E and saves with Ctrl+Enter, approving the corrected entry', async () => {
    const api = fakeVigilApi();
    const { container } = await mountApp(api, { view: 'knowledge' });
    await act(async () => undefined);
    await key(byName(container, 'The VPN drops every few minutes on hotel wifi'), 'e');
    const answer = byName<HTMLTextAreaElement>(container, 'Answer');
    const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
    await act(async () => {
      setValue.call(answer, 'Set the MTU of the VPN adapter to 1380, then reconnect.');
      answer.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await key(answer, 'Enter', { ctrlKey: true });
    expect(api.reviewEntry).toHaveBeenLastCalledWith({
      entryId: 'qa-rt:4790',
      decision: 'edit',
      edit: { question: sampleReview[0]!.question, answer: 'Set the MTU of the VPN adapter to 1380, then reconnect.' },
    });
  });

  it('shows the engine’s refusal', async () => {
    const api = fakeVigilApi();
    api.reviewEntry.mockRejectedValue(new Error('The answer "maybe restart it" is not actionable: say what to do.'));
    const { container } = await mountApp(api, { view: 'knowledge' });
    await act(async () => undefined);
    await click(button(byName(container, 'Decide on qa-rt:4790'), 'Approve'));
    expect(container.querySelector('.review [role="alert"]')?.textContent).toContain('is not actionable');
  });
});
