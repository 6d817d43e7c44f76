// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { fakeVigilApi, sampleDetail, sampleDraft, sampleSuggestion } from './fakeVigilApi';
import { button, byName, click, mountApp } from './mountApp';

const queueItem = (container: HTMLElement, subject: string) =>
  [...container.querySelectorAll<HTMLButtonElement>('button.queue-item')].find((b) => b.textContent?.includes(subject))!;

const replyBox = (container: HTMLElement) => byName<HTMLTextAreaElement>(container, 'Reply text');

/** Types into a textarea as React sees it, leaving the cursor at `cursor` (the end by default). */
async function typeReply(textarea: HTMLTextAreaElement, text: string, cursor = text.length) {
  const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(textarea, text);
    textarea.setSelectionRange(cursor, cursor);
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function openVpnTicket(api = fakeVigilApi()) {
  const mounted = await mountApp(api);
  await click(queueItem(mounted.container, 'VPN drops after sleep'));
  await act(async () => undefined);
  return mounted;
}

const INSERTED = `${sampleSuggestion.suggestion.text}\n\nReferences:\n[1] VPN disconnects after the laptop wakes from sleep (ticket T-4100)`;

describe('the reply box', () => {
  it('shows the ticket\'s saved draft under the conversation', async () => {
    const api = fakeVigilApi();
    api.replyDraft.mockResolvedValueOnce(sampleDraft({ text: 'Hello Dana,\n\nI am looking into it.' }));
    const { container } = await openVpnTicket(api);
    expect(api.replyDraft).toHaveBeenCalledWith({ ticketId: 'rt:4821' });
    expect(replyBox(container).value).toBe('Hello Dana,\n\nI am looking into it.');
  });

  it('inserts a suggestion with its sources as plain references, records it, and keeps the draft', async () => {
    const { container, api } = await openVpnTicket();
    await click(button(byName(container, 'Suggested answer'), 'Insert'));
    expect(replyBox(container).value).toBe(INSERTED);
    expect(api.sendFeedback).toHaveBeenCalledWith({ ticketId: 'rt:4821', suggestionId: sampleSuggestion.id, action: 'inserted' });
    await vi.waitFor(() =>
      expect(api.saveReplyDraft).toHaveBeenLastCalledWith({ ticketId: 'rt:4821', text: INSERTED, insertedSuggestionIds: [sampleSuggestion.id] }),
    );
    // The analyst edits on from where the insert left the cursor.
    expect(document.activeElement).toBe(replyBox(container));
    expect(replyBox(container).selectionStart).toBe(INSERTED.length);
  });

  it('inserts at the cursor, between what the analyst already wrote, on the key I of a focused card', async () => {
    const { container } = await openVpnTicket();
    await typeReply(replyBox(container), 'Hello Dana,\nBest regards, Ana', 'Hello Dana,\n'.length);
    await act(async () => {
      byName(container, 'Suggested answer').dispatchEvent(new KeyboardEvent('keydown', { key: 'i', bubbles: true }));
    });
    expect(replyBox(container).value).toBe(`Hello Dana,\n\n${INSERTED}\n\nBest regards, Ana`);
  });

  it('never renders suggestion or ticket text as HTML', async () => {
    const api = fakeVigilApi();
    const hostile = { ...sampleSuggestion, suggestion: { ...sampleSuggestion.suggestion, text: 'Click <img src=x onerror="alert(1)"> <b>now</b>' } };
    api.openTicket.mockResolvedValue({ ...sampleDetail, suggestions: [hostile] });
    const { container } = await openVpnTicket(api);
    await click(button(byName(container, 'Suggested answer'), 'Insert'));
    expect(replyBox(container).value).toContain('Click <img src=x onerror="alert(1)"> <b>now</b>');
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });

  it('keeps each ticket\'s text when the analyst switches tickets', async () => {
    const { container, api } = await openVpnTicket();
    await typeReply(replyBox(container), 'Half-written reply for the VPN ticket');
    api.openTicket.mockResolvedValueOnce({ ...sampleDetail, ticket: { ...sampleDetail.ticket, id: 'rt:4822', subject: 'Invoice copy' }, suggestions: [] });
    await click(queueItem(container, 'Invoice copy'));
    await act(async () => undefined);
    expect(replyBox(container).value).toBe('');
    await click(queueItem(container, 'VPN drops after sleep'));
    await act(async () => undefined);
    expect(replyBox(container).value).toBe('Half-written reply for the VPN ticket');
    expect(api.saveReplyDraft).toHaveBeenCalledWith({ ticketId: 'rt:4821', text: 'Half-written reply for the VPN ticket', insertedSuggestionIds: [] });
  });

  it('posts the edited reply as an internal note and shows the suggestion as published', async () => {
    const { container, api } = await openVpnTicket();
    await click(button(byName(container, 'Suggested answer'), 'Insert'));
    await typeReply(replyBox(container), `Hi Dana,\n\n${INSERTED}`);
    await click(button(container, 'Post as internal note'));
    expect(api.sendReply).toHaveBeenCalledWith({ ticketId: 'rt:4821', text: `Hi Dana,\n\n${INSERTED}`, visibility: 'note' });
    expect(byName(container, 'Reply actions').parentElement!.textContent).toContain('Posted as an internal note.');
    expect(replyBox(container).value).toBe('');
    expect(button(byName(container, 'Suggested answer'), 'Posted as note')).toBeDefined();
  });

  it('sends a reply to the customer only after the analyst confirms it', async () => {
    const { container, api } = await openVpnTicket();
    await typeReply(replyBox(container), 'Please restart the adapter.');
    await click(button(container, 'Send reply to customer…'));
    const dialog = byName(container, 'Send this reply to the customer?');
    expect(dialog.textContent).toContain('It cannot be taken back.');
    await click(button(dialog, 'Cancel'));
    expect(api.sendReply).not.toHaveBeenCalled();
    await click(button(container, 'Send reply to customer…'));
    await click(button(byName(container, 'Send this reply to the customer?'), 'Yes, send to customer'));
    expect(api.sendReply).toHaveBeenCalledWith({ ticketId: 'rt:4821', text: 'Please restart the adapter.', visibility: 'public', confirmed: true });
    expect(container.textContent).toContain('Sent to the customer.');
  });

  it('says why nothing can be posted when the connector does not allow it, and still lets the reply be copied', async () => {
    const api = fakeVigilApi();
    api.replyDraft.mockResolvedValue(sampleDraft({ canPostNote: false, canSendReply: false, writeProblem: 'Posting notes is off for "rt". Set "writeBack": true for it in connectors.json to allow it.' }));
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const { container } = await openVpnTicket(api);
    await typeReply(replyBox(container), 'Copy me');
    expect(button(container, 'Post as internal note').disabled).toBe(true);
    expect(() => button(container, 'Send reply to customer…')).toThrow();
    expect(container.textContent).toContain('Posting notes is off for "rt"');
    await click(button(container, 'Copy reply'));
    expect(writeText).toHaveBeenCalledWith('Copy me');
    expect(container.textContent).toContain('Copied: paste it into the ticket in your helpdesk.');
  });

  it('shows why a send failed and keeps the text', async () => {
    const api = fakeVigilApi();
    api.sendReply.mockRejectedValueOnce(new Error('Zendesk refused the token (HTTP 401).'));
    const { container } = await openVpnTicket(api);
    await typeReply(replyBox(container), 'Keep this');
    await click(button(container, 'Post as internal note'));
    expect(container.querySelector('.reply-box [role="alert"]')?.textContent).toBe('Zendesk refused the token (HTTP 401).');
    expect(replyBox(container).value).toBe('Keep this');
  });

  it('offers no Insert in the assist bubble, which has no reply box', async () => {
    const { container } = await mountApp(fakeVigilApi(), { bubble: true });
    const bubble = byName(container, 'Vigil assist');
    await vi.waitFor(() => expect(bubble.textContent).toContain('Turn off power saving'));
    expect(() => button(bubble, 'Insert')).toThrow();
    expect(() => button(bubble, 'Like')).not.toThrow();
  });
});
