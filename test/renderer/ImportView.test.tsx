// @vitest-environment happy-dom
/** The Import panel as an analyst uses it: choose, map a CSV file's columns, watch it run, read what was skipped and why. */
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { KnowledgeImportResult } from '../../renderer/src/api/contractTypes';
import { fakeVigilApi, sampleCsvSource, sampleImportResult } from './fakeVigilApi';
import { button, byName, click, mountApp } from './mountApp';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Opens the app on the desk and clicks the header's Import button, as an analyst would. */
async function openImport(api = fakeVigilApi()) {
  const mounted = await mountApp(api);
  await click(byName(mounted.container, 'Import knowledge: entries, a spreadsheet export, articles or a help center'));
  return mounted;
}

/** The <select> labelled `label`. */
function select(container: HTMLElement, label: string): HTMLSelectElement {
  return byName<HTMLSelectElement>(container, label);
}

async function choose(element: HTMLSelectElement, value: string) {
  const setValue = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(element, value);
    element.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

describe('the Import panel', () => {
  it('opens on the Knowledge screen with the three ways in, the connected help centers among them', async () => {
    const { container, store } = await openImport();
    expect(store.getState().view).toBe('knowledge');
    const panel = byName(container, 'Import knowledge');
    expect(button(panel, 'Choose a file…')).toBeTruthy();
    expect(button(panel, 'Choose a folder of articles…')).toBeTruthy();
    expect(byName(panel, 'Help centers').textContent).toContain('Import Zendesk Guide (zd)');
    expect(byName(panel, 'Help centers').textContent).toContain('https://acme.zendesk.com');
  });

  it('says how to connect a helpdesk when none with a help center is', async () => {
    const api = fakeVigilApi();
    api.helpCenters.mockResolvedValue([]);
    const { container } = await openImport(api);
    expect(byName(container, 'Help centers').textContent).toContain('Add one in Settings → Connectors');
  });

  it('shows a CSV file’s columns with the suggested mapping, imports with the analyst’s choice, and counts what was skipped by reason', async () => {
    const { container, api } = await openImport();
    await click(button(container, 'Choose a file…'));
    const form = byName(container, 'Columns of faq.csv');
    expect(form.textContent).toContain('faq.csv has 4 columns: Question, Answer, Labels, Owner.');
    expect(select(form, 'Question').value).toBe('Question');
    expect(select(form, 'Answer (body, needed)').value).toBe('Answer');
    expect(select(form, 'Tags').value).toBe('Labels');
    expect(select(form, 'Title').value).toBe('');
    expect([...select(form, 'Title').options].map((o) => o.textContent)).toEqual(['(none)', 'Question', 'Answer', 'Labels', 'Owner']);

    await choose(select(form, 'Tags'), '');
    await click(button(form, 'Import faq.csv'));
    expect(api.importKnowledge).toHaveBeenCalledWith({ sourceId: sampleCsvSource.sourceId, mapping: { question: 'Question', body: 'Answer' } });

    const report = byName(container, 'Import report');
    expect(report.textContent).toContain('Imported 12 entries from faq.csv. 3 skipped:');
    expect(byName(report, 'Skipped, by reason').textContent).toBe('2 × body: is missing1 × 4 cells, but the header has 5 columns');
    expect(byName(report, 'First skipped').textContent).toContain('faq.csv line 7, body: is missing (expected string)');
    expect(api.status).toHaveBeenCalledTimes(2);
  });

  it('shows the main process’s refusal naming the missing column, and stays on the mapping to fix it', async () => {
    const api = fakeVigilApi();
    api.chooseImportSource.mockResolvedValue({ ...sampleCsvSource, columns: ['Question', 'Reply'], suggestedMapping: { question: 'Question' } });
    api.importKnowledge.mockRejectedValue(
      new Error('Choose the column that holds the answer (body): faq.csv has no column named "body"; its columns are "Question", "Reply".'),
    );
    const { container } = await openImport(api);
    await click(button(container, 'Choose a file…'));
    await click(button(container, 'Import faq.csv'));
    const alert = container.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Choose the column that holds the answer (body)');
    expect(alert?.textContent).toContain('"Question", "Reply"');
    await choose(select(container, 'Answer (body, needed)'), 'Reply');
    expect(container.querySelector('[role="alert"]')).toBeNull();
    expect(byName(container, 'Columns of faq.csv')).toBeTruthy();
  });

  it('shows the import running with the entries stored so far, then its report', async () => {
    const api = fakeVigilApi();
    const answer = deferred<KnowledgeImportResult>();
    api.importHelpCenter.mockReturnValue(answer.promise);
    const { container } = await openImport(api);
    await click(button(container, 'Import Zendesk Guide (zd)'));
    const progress = byName(container, 'Import progress');
    expect(progress.textContent).toContain('Importing Zendesk Guide (zd)…');
    expect(progress.querySelector('progress')).not.toBeNull();
    expect(button(container, 'Close').disabled).toBe(true);
    await act(async () => api.push({ type: 'import-progress', source: 'Zendesk Guide (zd)', imported: 1500 }));
    expect(byName(container, 'Import progress').textContent).toContain('Importing Zendesk Guide (zd): 1,500 entries so far…');

    await act(async () => answer.resolve({ ...sampleImportResult, source: 'Zendesk Guide (zd)', imported: 1620, skipped: 0, reasons: [], issues: [] }));
    expect(byName(container, 'Import report').textContent).toBe('Imported 1,620 entries from Zendesk Guide (zd).Import more…Done');
  });

  it('closes with Done and opens again on the choice', async () => {
    const { container } = await openImport();
    await click(button(container, 'Choose a file…'));
    await click(button(container, 'Import faq.csv'));
    await click(button(container, 'Done'));
    expect(container.querySelector('[aria-label="Import knowledge"]')).toBeNull();
    await click(byName(container, 'Import knowledge: entries, a spreadsheet export, articles or a help center'));
    expect(button(byName(container, 'Import knowledge'), 'Choose a file…')).toBeTruthy();
  });
});
