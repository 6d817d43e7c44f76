// @vitest-environment happy-dom
/**
 * The suggestion card as the analyst meets it on an open ticket: every kind the engine produces (answer, similar
 * resolved case, relevant article, next step, follow-up, alert), its citations behind one click, the actions by
 * button and by key, and the payload each action sends through `window.vigil`.
 */
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { markSources, type StoredCitation } from '../../core/app/deskViews';
import type { FeedbackRequest, ShownSuggestion, SuggestionKind, TicketDetail } from '../../renderer/src/api/contractTypes';
import { fakeVigilApi, sampleDetail } from './fakeVigilApi';
import { button, byName, click, mountApp, type } from './mountApp';

const TICKET = 'rt:4821';

function citation(overrides: Partial<StoredCitation> & Pick<StoredCitation, 'entryId' | 'score'>): StoredCitation {
  return { kind: 'qa', sourceTicketId: null, title: null, excerpt: '', available: true, ...overrides };
}

/** A shown suggestion as the desk sends it: its citations marked as sources by the engine's rule (core/app/deskViews.ts). */
function shown(kind: SuggestionKind, text: string, confidence: number, citations: StoredCitation[], reason = 'answerable'): ShownSuggestion {
  return {
    id: `${TICKET}:m1:${kind}`,
    shownAt: '2026-11-22T09:55:01Z',
    suggestion: {
      ticketId: TICKET,
      afterMessageId: 'm1',
      shown: true,
      reason,
      kind,
      text,
      confidence,
      citations: citations.map(({ entryId, kind: entryKind, sourceTicketId, score }) => ({ entryId, kind: entryKind, sourceTicketId, score })),
      latencyMs: 18,
    },
    citations: markSources(citations),
    feedback: [],
  };
}

/** What the engine shows on one ticket, one suggestion of each kind, in the words core/assist writes them. */
const ANSWER = shown('answer', 'Turn off power saving for the Wi-Fi adapter, then reconnect the VPN.', 0.82, [
  citation({
    entryId: 'qa-rt:4100',
    sourceTicketId: 'rt:4100',
    score: 0.83,
    title: 'VPN disconnects after the laptop wakes from sleep',
    excerpt: 'Turn off "Allow the computer to turn off this device to save power" for the Wi-Fi adapter.',
  }),
  citation({ entryId: 'kb-vpn-client', kind: 'article', score: 0.61, title: 'VPN client settings for laptops', excerpt: 'Keep the VPN client on version 5.2 or later.' }),
  // Far below the best: considered, but not shown as support.
  citation({ entryId: 'kb-printer', kind: 'article', score: 0.12, title: 'Printer jams on tray 2', excerpt: 'Open tray 2 and remove the torn sheet.' }),
]);
const SIMILAR_CASE = shown(
  'similar_case',
  'Similar resolved case rt:4790: Set the VPN client MTU to 1380 and reconnect; hotel networks often use a smaller MTU.',
  0.71,
  [citation({ entryId: 'case-rt:4790', kind: 'case', sourceTicketId: 'rt:4790', score: 0.71, title: 'VPN drops every few minutes on hotel wifi', excerpt: 'Customer on hotel wifi; MTU 1380 fixed it.' })],
);
const ARTICLE = shown('article', 'Sleep and the VPN: Windows turns the Wi-Fi adapter off during sleep to save power…', 0.66, [
  citation({ entryId: 'kb-sleep', kind: 'article', score: 0.66, title: 'Sleep and the VPN', excerpt: 'Windows turns the Wi-Fi adapter off during sleep to save power.' }),
]);
const NEXT_STEP = shown('next_step', 'Ask which VPN client version is installed: versions before 5.2 lose the tunnel when the laptop sleeps [qa-rt:3977].', 0.64, [
  citation({ entryId: 'qa-rt:3977', sourceTicketId: 'rt:3977', score: 0.64, title: 'VPN tunnel gone after sleep on old clients', excerpt: 'Client 5.1 drops the tunnel on resume; 5.2 fixed it.' }),
  // Retired since it was cited: still listed, marked, and never offered as a reference.
  citation({ entryId: 'qa-rt:2001', sourceTicketId: 'rt:2001', score: 0.6, title: 'Reinstall the VPN client', excerpt: 'Uninstall, reboot, install again.', available: false }),
]);
const FOLLOWUP = shown('followup', 'The customer has been waiting for a reply for 4 h.', 1, [], 'customer_waiting');
const ALERT = shown(
  'alert',
  'P1 VPN outage: 3 tickets in the last 30 min (rt:4821, rt:4825, rt:4826), e.g. "Every time my laptop wakes up the VPN is gone"',
  1,
  [],
  'vpn-outage',
);
const ALL = [ANSWER, SIMILAR_CASE, ARTICLE, NEXT_STEP, FOLLOWUP, ALERT];
const DETAIL: TicketDetail = { ticket: sampleDetail.ticket, suggestions: ALL };

/** A fake engine that answers feedback as the desk does: the same suggestion, with the action added. */
function engine() {
  const api = fakeVigilApi();
  const current = new Map(ALL.map((s) => [s.id, s]));
  const record = (request: FeedbackRequest) => {
    const before = current.get(request.suggestionId);
    if (!before) throw new Error(`No suggestion ${request.suggestionId} on ticket ${request.ticketId}`);
    const after = { ...before, feedback: [...before.feedback, request.action] };
    current.set(after.id, after);
    return after;
  };
  api.openTicket.mockImplementation(async () => ({ ...DETAIL, suggestions: ALL.map((s) => current.get(s.id)!) }));
  api.sendFeedback.mockImplementation(async (request) => record(request));
  api.publishSuggestion.mockImplementation(async ({ ticketId, suggestionId }) => record({ ticketId, suggestionId, action: 'published' }));
  return api;
}

async function openTicket(api = engine()) {
  const mounted = await mountApp(api);
  const item = [...mounted.container.querySelectorAll<HTMLButtonElement>('button.queue-item')].find((b) => b.textContent?.includes('VPN drops after sleep'))!;
  await click(item);
  return mounted;
}

const LABELS: Record<SuggestionKind, string> = {
  answer: 'Suggested answer',
  similar_case: 'Similar resolved case',
  article: 'Relevant article',
  next_step: 'Next step',
  followup: 'Follow-up',
  alert: 'Alert',
};

const card = (container: HTMLElement, kind: SuggestionKind) => byName(container, LABELS[kind]);

async function press(target: HTMLElement, key: string, modifiers: KeyboardEventInit = {}) {
  await act(async () => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...modifiers }));
  });
}

/** Opens (or closes) a <details> as a click on its summary does; the element fires its own toggle event. */
async function setOpen(details: HTMLDetailsElement, open: boolean) {
  await act(async () => {
    details.open = open;
  });
  await act(async () => undefined);
}

let clipboard = '';
afterEach(() => {
  clipboard = '';
  vi.restoreAllMocks();
});

/** Reads what the page put on the clipboard (happy-dom's clipboard, observed at its writeText). */
function watchClipboard() {
  return vi.spyOn(navigator.clipboard, 'writeText').mockImplementation(async (text: string) => {
    clipboard = text;
  });
}

describe('every kind of suggestion on an open ticket', () => {
  it('shows each kind under its own name, newest first, with its text and one figure: a confidence, or an alert’s priority', async () => {
    const { container } = await openTicket();
    const cards = [...byName(container, 'Suggestions').querySelectorAll('article')];
    expect(cards.map((c) => c.getAttribute('aria-label'))).toEqual(['Alert', 'Follow-up', 'Next step', 'Relevant article', 'Similar resolved case', 'Suggested answer']);
    for (const s of [ANSWER, SIMILAR_CASE, ARTICLE, NEXT_STEP]) {
      const text = card(container, s.suggestion.kind).textContent!;
      expect(text).toContain(s.suggestion.text);
      expect(card(container, s.suggestion.kind).querySelectorAll('.figure')).toHaveLength(1);
      expect(text).toContain(`Confidence ${Math.round(s.suggestion.confidence * 100)}%`);
      // No second number beside it: the citations name their source, not a score.
      expect(text).not.toMatch(/score \d/);
    }
    // A rule that fired is not more or less likely to be right: an alert shows its priority, a reminder nothing.
    expect(card(container, 'alert').querySelector('.figure')?.textContent).toBe('Priority P1 · high');
    expect(card(container, 'alert').textContent).not.toMatch(/confiden|100%/i);
    expect(card(container, 'followup').querySelector('.figure')).toBeNull();
    expect(card(container, 'alert').className).toContain('kind-alert');
  });

  it('keeps the sources one click away, with the source ticket or kind of each', async () => {
    const { container } = await openTicket();
    const similar = card(container, 'similar_case');
    expect(similar.querySelector('summary')?.textContent).toBe('1 source');
    expect(byName(similar, 'Cited knowledge').textContent).toBe(
      'VPN drops every few minutes on hotel wifiTicket rt:4790Customer on hotel wifi; MTU 1380 fixed it.',
    );
    const article = byName(card(container, 'article'), 'Cited knowledge').textContent!;
    expect(article).toContain('Sleep and the VPN');
    expect(article).toContain('article');

    const next = card(container, 'next_step');
    expect(next.querySelector('summary')?.textContent).toBe('2 sources');
    const [kept, retired] = [...byName(next, 'Cited knowledge').querySelectorAll('li')];
    expect(kept!.textContent).toContain('Ticket rt:3977');
    expect(retired!.className).toBe('unavailable');
    expect(retired!.textContent).toContain('Ticket rt:2001 · retired');

    // The answer's weak candidate is not a source: it waits one more click away.
    const answer = card(container, 'answer');
    expect(answer.querySelector('summary')?.textContent).toBe('2 sources');
    expect(byName(answer, 'Cited knowledge').textContent).not.toContain('Printer jams');
    expect(answer.querySelector('.other-candidates summary')?.textContent).toBe('1 weaker candidates considered');
    expect(byName(answer, 'Other candidates').textContent).toContain('Printer jams on tray 2article');

    // Follow-ups and alerts come from rules, not knowledge: nothing to cite, so no sources to open.
    expect(card(container, 'followup').querySelector('details')).toBeNull();
    expect(card(container, 'alert').querySelector('details')).toBeNull();
  });

  it('records the first opening of the sources, once', async () => {
    const { container, api } = await openTicket();
    const details = card(container, 'similar_case').querySelector<HTMLDetailsElement>('details.citations')!;
    await setOpen(details, true);
    expect(api.sendFeedback).toHaveBeenCalledTimes(1);
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: SIMILAR_CASE.id, action: 'expanded' });
    await setOpen(details, false);
    await setOpen(card(container, 'similar_case').querySelector<HTMLDetailsElement>('details.citations')!, true);
    expect(api.sendFeedback).toHaveBeenCalledTimes(1);
  });

  it.each(ALL.map((s) => [LABELS[s.suggestion.kind], s] as const))('%s: every button sends its action for this suggestion', async (label, s) => {
    watchClipboard();
    const { container, api } = await openTicket();
    const own = () => byName(container, label);
    const expected = (action: FeedbackRequest['action'], extra: Partial<FeedbackRequest> = {}) => ({ ticketId: TICKET, suggestionId: s.id, action, ...extra });

    await click(button(own(), 'Copy'));
    expect(api.sendFeedback).toHaveBeenLastCalledWith(expected('copied'));
    expect(button(own(), 'Copied')).toBeTruthy();

    await click(button(own(), 'Like'));
    expect(api.sendFeedback).toHaveBeenLastCalledWith(expected('liked'));
    expect(button(own(), 'Like').getAttribute('aria-pressed')).toBe('true');

    await click(button(own(), 'Dislike'));
    await type(byName<HTMLInputElement>(own(), 'What is wrong with it? (optional)'), '  Wrong customer: this one uses the mobile app  ');
    await act(async () => {
      byName<HTMLFormElement>(own(), 'Why is this suggestion wrong?').requestSubmit();
    });
    expect(api.sendFeedback).toHaveBeenLastCalledWith(expected('disliked', { reason: 'Wrong customer: this one uses the mobile app' }));
    expect(button(own(), 'Dislike').getAttribute('aria-pressed')).toBe('true');

    await click(button(own(), 'Insert'));
    expect(api.sendFeedback).toHaveBeenLastCalledWith(expected('inserted'));
    expect(byName<HTMLTextAreaElement>(container, 'Reply text').value).toContain(s.suggestion.text);

    await click(button(own(), 'Post as internal note'));
    expect(api.publishSuggestion).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: s.id });
    expect(button(own(), 'Posted as note').disabled).toBe(true);

    await click(button(own(), 'Dismiss'));
    expect(api.sendFeedback).toHaveBeenLastCalledWith(expected('dismissed'));
    expect(own().className).toContain('dismissed');
    expect(button(own(), 'Dismissed').disabled).toBe(true);

    // Nothing reached another suggestion.
    const touched = new Set([...api.sendFeedback.mock.calls.map(([r]) => r.suggestionId), ...api.publishSuggestion.mock.calls.map(([r]) => r.suggestionId)]);
    expect([...touched]).toEqual([s.id]);
  });

  it('sends a dislike without a reason when none is given', async () => {
    const { container, api } = await openTicket();
    await click(button(card(container, 'alert'), 'Dislike'));
    await act(async () => {
      byName<HTMLFormElement>(card(container, 'alert'), 'Why is this suggestion wrong?').requestSubmit();
    });
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: ALERT.id, action: 'disliked' });
  });
});

describe('Copy', () => {
  it('puts the text with its sources as references on the clipboard, as Insert would, and records the copy', async () => {
    const write = watchClipboard();
    const { container, api } = await openTicket();
    await click(button(card(container, 'answer'), 'Copy'));
    expect(write).toHaveBeenCalledOnce();
    expect(clipboard).toBe(
      'Turn off power saving for the Wi-Fi adapter, then reconnect the VPN.\n\nReferences:\n' +
        '[1] VPN disconnects after the laptop wakes from sleep (ticket rt:4100)\n' +
        '[2] VPN client settings for laptops',
    );
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: ANSWER.id, action: 'copied' });
  });

  it('never offers a retired entry as a reference, and copies a rule-based reminder as it reads', async () => {
    watchClipboard();
    const { container } = await openTicket();
    await click(button(card(container, 'next_step'), 'Copy'));
    expect(clipboard).toBe(`${NEXT_STEP.suggestion.text}\n\nReferences:\n[1] VPN tunnel gone after sleep on old clients (ticket rt:3977)`);
    await click(button(card(container, 'followup'), 'Copy'));
    expect(clipboard).toBe('The customer has been waiting for a reply for 4 h.');
  });

  it('still records the copy when the clipboard refuses it', async () => {
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValue(new DOMException('Document is not focused.', 'NotAllowedError'));
    const { container, api } = await openTicket();
    await click(button(card(container, 'similar_case'), 'Copy'));
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: SIMILAR_CASE.id, action: 'copied' });
  });
});

describe('keys on a focused suggestion card', () => {
  it('announces its keys on the buttons (C, L, D, X)', async () => {
    const { container } = await openTicket();
    const actions = byName(container, 'Actions on this next step');
    const keys = Object.fromEntries([...actions.querySelectorAll('button')].map((b) => [b.textContent, b.getAttribute('aria-keyshortcuts')]));
    expect(keys).toMatchObject({ Copy: 'C', Like: 'L', Dislike: 'D', Dismiss: 'X' });
    expect(card(container, 'next_step').tabIndex).toBe(0);
  });

  it('C copies with references, L likes, X dismisses: each for the focused card only', async () => {
    watchClipboard();
    const { container, api } = await openTicket();
    await press(card(container, 'similar_case'), 'c');
    expect(clipboard).toBe(`${SIMILAR_CASE.suggestion.text}\n\nReferences:\n[1] VPN drops every few minutes on hotel wifi (ticket rt:4790)`);
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: SIMILAR_CASE.id, action: 'copied' });
    await press(card(container, 'next_step'), 'L');
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: NEXT_STEP.id, action: 'liked' });
    expect(button(card(container, 'next_step'), 'Like').getAttribute('aria-pressed')).toBe('true');
    await press(card(container, 'followup'), 'x');
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: FOLLOWUP.id, action: 'dismissed' });
    expect(card(container, 'followup').className).toContain('dismissed');
    expect(api.sendFeedback).toHaveBeenCalledTimes(3);
  });

  it('D asks why, with the cursor in the reason box; letters typed there are text, not shortcuts', async () => {
    const { container, api } = await openTicket();
    await press(card(container, 'alert'), 'd');
    expect(api.sendFeedback).not.toHaveBeenCalled();
    const reason = byName<HTMLInputElement>(card(container, 'alert'), 'What is wrong with it? (optional)');
    expect(document.activeElement).toBe(reason);
    // "l", "c", "x" and "d" typed into the reason reach the input only.
    for (const key of ['l', 'c', 'x', 'd']) await press(reason, key);
    expect(api.sendFeedback).not.toHaveBeenCalled();
    await type(reason, 'Not an outage: only this customer');
    await act(async () => {
      byName<HTMLFormElement>(card(container, 'alert'), 'Why is this suggestion wrong?').requestSubmit();
    });
    expect(api.sendFeedback).toHaveBeenCalledOnce();
    expect(api.sendFeedback).toHaveBeenLastCalledWith({ ticketId: TICKET, suggestionId: ALERT.id, action: 'disliked', reason: 'Not an outage: only this customer' });
    expect(card(container, 'alert').querySelector('form')).toBeNull();
  });

  it('Escape in the reason box cancels the dislike without sending it', async () => {
    const { container, api } = await openTicket();
    await press(card(container, 'answer'), 'D');
    await press(byName<HTMLInputElement>(card(container, 'answer'), 'What is wrong with it? (optional)'), 'Escape');
    expect(card(container, 'answer').querySelector('form')).toBeNull();
    expect(api.sendFeedback).not.toHaveBeenCalled();
  });

  it('leaves Ctrl+C, Alt+L and keys on the card\'s buttons to the browser', async () => {
    const write = watchClipboard();
    const { container, api } = await openTicket();
    await press(card(container, 'answer'), 'c', { ctrlKey: true });
    await press(card(container, 'answer'), 'l', { altKey: true });
    await press(card(container, 'answer'), 'x', { metaKey: true });
    await press(button(card(container, 'answer'), 'Like'), 'l');
    expect(write).not.toHaveBeenCalled();
    expect(api.sendFeedback).not.toHaveBeenCalled();
  });
});
