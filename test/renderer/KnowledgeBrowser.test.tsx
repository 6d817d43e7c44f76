// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { entrySummary, fakeVigilApi, hit, sampleEntries, sampleEntryDetail } from './fakeVigilApi';
import { button, byName, click, mountApp, type } from './mountApp';

const key = async (element: HTMLElement, k: string, init: KeyboardEventInit = {}) =>
  act(async () => {
    element.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, ...init }));
  });

async function setText(element: HTMLTextAreaElement | HTMLInputElement, text: string) {
  const proto = element instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setValue = Object.getOwnPropertyDescriptor(proto, 'value')!.set!;
  await act(async () => {
    setValue.call(element, text);
    element.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function choose(select: HTMLSelectElement, value: string) {
  await act(async () => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

async function mountKnowledge(api = fakeVigilApi()) {
  const mounted = await mountApp(api, { view: 'knowledge' });
  await act(async () => undefined);
  return mounted;
}

const rows = (container: HTMLElement) => [...byName(container, 'Knowledge entries').querySelectorAll<HTMLButtonElement>('button.entry-row')];

describe('the knowledge browser', () => {
  it('says how knowledge gets in when there is none yet', async () => {
    const api = fakeVigilApi();
    api.listEntries.mockResolvedValue({ items: [], offset: 0, hasMore: false, order: 'recent', counts: { approved: 0, proposed: 0, retired: 0 } });
    const { container } = await mountKnowledge(api);
    expect(container.querySelector('.entry-list-pane .empty-state')?.textContent).toMatch(/^No knowledge yet\. Import your team’s articles or answers with Import knowledge…/);
  });

  it('lists the newest entries with their status, kind and source, and the counts per status', async () => {
    const { container, api } = await mountKnowledge();
    expect(api.listEntries).toHaveBeenCalledWith({ offset: 0, limit: 50 });
    expect(rows(container).map((r) => r.getAttribute('aria-label'))).toEqual([
      'VPN disconnects after the laptop wakes from sleep',
      'Printer jams on tray 2',
      'Flush the DNS cache',
    ]);
    expect(rows(container)[1]?.textContent).toContain('ApprovedArticleImported');
    expect(byName(container, 'Entries per status').textContent).toBe('1,230 approved · 2 proposed · 2 retired');
    expect(byName<HTMLSelectElement>(container, 'Status').options[2]?.textContent).toBe('Proposed (2)');
    expect(container.querySelector('.knowledge-browser [role="status"]')?.textContent).toBe('3 entries, most recently changed first (more below).');
  });

  it('filters by status, kind, source and words, and pages with "Show more"', async () => {
    const api = fakeVigilApi();
    const { container } = await mountKnowledge(api);
    await choose(byName<HTMLSelectElement>(container, 'Status'), 'retired');
    await choose(byName<HTMLSelectElement>(container, 'Kind'), 'qa');
    await choose(byName<HTMLSelectElement>(container, 'Source'), 'learned');
    expect(api.listEntries).toHaveBeenLastCalledWith({ status: 'retired', kind: 'qa', origin: 'learned', offset: 0, limit: 50 });
    await type(byName<HTMLInputElement>(container, 'Filter by words'), 'vpn wake');
    await click(button(byName(container, 'Filter knowledge entries'), 'Filter'));
    expect(api.listEntries).toHaveBeenLastCalledWith({ status: 'retired', kind: 'qa', origin: 'learned', text: 'vpn wake', offset: 0, limit: 50 });

    api.listEntries.mockResolvedValueOnce({ ...sampleEntries, items: [entrySummary({ id: 'qa-rt:5000', question: 'Older VPN entry' })], hasMore: false, offset: 3 });
    await click(button(container, 'Show more entries'));
    expect(api.listEntries).toHaveBeenLastCalledWith({ status: 'retired', kind: 'qa', origin: 'learned', text: 'vpn wake', offset: 3, limit: 50 });
    expect(rows(container)).toHaveLength(4);
    expect(container.textContent).not.toContain('Show more entries');
  });

  it('moves with J/K, opens with Enter, shows provenance, feedback and history, and closes with Escape', async () => {
    const { container, api } = await mountKnowledge();
    const [first, second] = rows(container);
    first!.focus();
    await key(first!, 'j');
    expect(document.activeElement).toBe(second);
    await key(second!, 'k');
    expect(document.activeElement).toBe(first);
    await click(first!); // Enter on a button is a click
    expect(api.entryDetail).toHaveBeenCalledWith({ entryId: 'qa-rt:4100' });
    const detail = byName(container, 'Entry detail');
    expect(document.activeElement).toBe(detail);
    expect(byName(detail, 'Provenance').textContent).toContain('Learned from ticket rt:4100 (connector rt)');
    expect(byName(detail, 'Provenance').textContent).toContain('maria');
    expect(byName(detail, 'Use in suggestions').textContent).toBe('Cited in 7 suggestions · liked 3 · disliked 1 · dismissed 1 · used 3 times');
    const history = byName(detail, 'History');
    expect(history.querySelectorAll('li')).toHaveLength(2);
    expect(history.textContent).toContain('v2 · edited by maria');
    expect(history.textContent).toContain('v1 · learned by learn');

    await click(byName(detail, 'View version 1'));
    expect(detail.querySelector('.entry-body')?.textContent).toBe('Restart the VPN client.');
    expect(detail.textContent).toContain('Showing version 1, not the current text.');
    await click(byName(detail, 'Restore version 1'));
    expect(api.restoreEntryVersion).toHaveBeenCalledWith({ entryId: 'qa-rt:4100', version: 1 });

    await key(byName(container, 'Entry detail'), 'Escape');
    expect(container.querySelector('[aria-label="Entry detail"]')).toBeNull();
    expect(document.activeElement).toBe(rows(container)[0]);
  });

  it('edits with E, saves only the changed fields with Ctrl+Enter, and updates the row', async () => {
    const { container, api } = await mountKnowledge();
    await click(rows(container)[0]!);
    await key(byName(container, 'Entry detail'), 'e');
    const form = byName(container, 'Edit entry');
    await setText(byName<HTMLTextAreaElement>(form, 'Answer'), 'Disable Wi-Fi power saving, then reconnect the VPN.');
    await setText(byName<HTMLInputElement>(form, 'Tags, separated by commas'), 'vpn, wifi, vpn');
    await key(byName(form, 'Answer'), 'Enter', { ctrlKey: true });
    expect(api.editEntry).toHaveBeenCalledWith({ entryId: 'qa-rt:4100', patch: { answer: 'Disable Wi-Fi power saving, then reconnect the VPN.', tags: ['vpn', 'wifi'] } });
    expect(container.querySelector('[aria-label="Edit entry"]')).toBeNull();
    expect(byName(container, 'Entry detail').querySelector('.entry-body')?.textContent).toBe('Disable Wi-Fi power saving, then reconnect the VPN.');
    expect(rows(container)[0]?.textContent).toContain('Disable Wi-Fi power saving');
  });

  it('shows the engine’s refusal naming the field, keeps the editor open, and Escape cancels the edit only', async () => {
    const api = fakeVigilApi();
    api.editEntry.mockRejectedValueOnce(new Error('Entry qa-rt:4100 was not changed: answer: must not be empty. Correct it and save again.'));
    const { container } = await mountKnowledge(api);
    await key(rows(container)[0]!, 'e');
    const form = byName(container, 'Edit entry');
    await setText(byName<HTMLTextAreaElement>(form, 'Question'), 'VPN drops when the laptop wakes up');
    await click(button(form, 'Save'));
    expect(container.querySelector('.entry-detail [role="alert"]')?.textContent).toContain('answer: must not be empty');
    expect(container.querySelector('[aria-label="Edit entry"]')).not.toBeNull();
    await key(byName(form, 'Question'), 'Escape');
    expect(container.querySelector('[aria-label="Edit entry"]')).toBeNull();
    expect(container.querySelector('[aria-label="Entry detail"]')).not.toBeNull();
  });

  it('retires an entry and approves it again', async () => {
    const { container, api } = await mountKnowledge();
    await click(rows(container)[0]!);
    await click(button(byName(container, 'Entry actions'), 'Retire'));
    expect(api.setEntryStatus).toHaveBeenLastCalledWith({ entryId: 'qa-rt:4100', status: 'retired' });
    expect(rows(container)[0]?.textContent).toContain('Retired');
    await click(button(byName(container, 'Entry actions'), 'Approve again'));
    expect(api.setEntryStatus).toHaveBeenLastCalledWith({ entryId: 'qa-rt:4100', status: 'approved' });
  });

  it('says a pack entry is read-only and offers no edit', async () => {
    const api = fakeVigilApi();
    api.entryDetail.mockResolvedValueOnce({
      ...sampleEntryDetail,
      id: 'kb-dns',
      kind: 'article',
      content: { title: 'Flush the DNS cache', question: null, body: 'Run ipconfig /flushdns.', tags: [], status: 'approved' },
      provenance: { ...sampleEntryDetail.provenance, origin: 'pack', tickets: [], pack: { name: 'network-basics', version: '1.2.0' } },
      history: [],
      feedback: null,
      readOnly: 'This entry comes from the knowledge pack network-basics 1.2.0 and is read-only here; its publisher changes it in a new version of the pack.',
    });
    const { container } = await mountKnowledge(api);
    await click(rows(container)[2]!);
    const detail = byName(container, 'Entry detail');
    expect(detail.textContent).toContain('is read-only here');
    expect(byName(detail, 'Provenance').textContent).toContain('From the knowledge pack network-basics 1.2.0');
    expect(detail.querySelector('[aria-label="Entry actions"]')).toBeNull();
    await key(detail, 'e');
    expect(container.querySelector('[aria-label="Edit entry"]')).toBeNull();
    expect(api.editEntry).not.toHaveBeenCalled();
  });

  it('opens a search result’s details and history in the browser', async () => {
    const api = fakeVigilApi();
    api.searchKnowledge.mockResolvedValueOnce([hit({ id: 'qa-rt:4100' }), hit({ id: 'kb-pack', title: 'From a pack', pack: { name: 'network-basics', version: '1.2.0' } })]);
    const { container } = await mountKnowledge(api);
    await type(byName<HTMLInputElement>(container, 'Search approved knowledge'), 'vpn after sleep');
    await click(button(container, 'Search'));
    expect(container.querySelector('[aria-label="Details of From a pack"]')).toBeNull(); // packs are read in the browser's word filter
    await click(byName(container, 'Details of VPN disconnects after the laptop wakes from sleep'));
    expect(api.entryDetail).toHaveBeenCalledWith({ entryId: 'qa-rt:4100' });
    expect(byName(byName(container, 'Entry detail'), 'Provenance').textContent).toContain('Learned from ticket rt:4100');
  });
});
