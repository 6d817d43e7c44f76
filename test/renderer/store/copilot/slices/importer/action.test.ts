import { describe, expect, it } from 'vitest';
import { createCopilotStore } from '../../../../../../renderer/src/store/copilot/store';
import { importSummary, listedIssues, progressText, skippedReasons } from '../../../../../../renderer/src/store/copilot/slices/importer/selectors';
import { fakeVigilApi, sampleCsvSource, sampleImportResult } from '../../../../fakeVigilApi';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function openedStore(api = fakeVigilApi()) {
  const store = createCopilotStore(() => api);
  await store.getState().openImport();
  return { api, store };
}

describe('the Import panel’s steps', () => {
  it('opens on the choice, with the connected help centers loaded', async () => {
    const { store } = await openedStore();
    expect(store.getState()).toMatchObject({ importOpen: true, importStep: 'choose', helpCenters: [{ id: 'zd', vendor: 'Zendesk Guide' }] });
  });

  it('takes a CSV file to the mapping step with the suggested columns, and imports with the analyst’s changes', async () => {
    const { api, store } = await openedStore();
    await store.getState().chooseImportSource('file');
    expect(api.chooseImportSource).toHaveBeenCalledWith({ what: 'file' });
    expect(store.getState()).toMatchObject({ importStep: 'map', importMapping: { question: 'Question', body: 'Answer', tags: 'Labels' } });
    expect(api.importKnowledge).not.toHaveBeenCalled();

    store.getState().setImportColumn('tags', null);
    store.getState().setImportColumn('title', 'Owner');
    await store.getState().runImport();
    expect(api.importKnowledge).toHaveBeenCalledWith({ sourceId: sampleCsvSource.sourceId, mapping: { question: 'Question', body: 'Answer', title: 'Owner' } });
    expect(store.getState()).toMatchObject({ importStep: 'done', importing: false, lastImport: sampleImportResult });
  });

  it('imports a folder of articles at once, with no mapping step', async () => {
    const api = fakeVigilApi();
    api.chooseImportSource.mockResolvedValue({ sourceId: 'src-00000000000000aa', name: 'articles', format: 'articles', columns: null, suggestedMapping: {} });
    const { store } = await openedStore(api);
    await store.getState().chooseImportSource('folder');
    expect(api.importKnowledge).toHaveBeenCalledWith({ sourceId: 'src-00000000000000aa' });
    expect(store.getState().importStep).toBe('done');
  });

  it('stays on the mapping step with the main process’s words when a chosen column is missing', async () => {
    const api = fakeVigilApi();
    const refusal = 'faq.csv has no column "Answer" (chosen for body); its columns are "Question", "Reply".';
    api.importKnowledge.mockRejectedValue(new Error(`Error invoking remote method 'vigil:importKnowledge': Error: ${refusal}`));
    const { store } = await openedStore(api);
    await store.getState().chooseImportSource('file');
    await store.getState().runImport();
    expect(store.getState()).toMatchObject({ importStep: 'map', importing: false });
    expect(store.getState().importError).toContain(refusal);
  });

  it('stays where it was when the dialog is cancelled', async () => {
    const api = fakeVigilApi();
    api.chooseImportSource.mockResolvedValue(null);
    const { store } = await openedStore(api);
    await store.getState().chooseImportSource('file');
    expect(store.getState()).toMatchObject({ importStep: 'choose', importSource: null, importError: null });
    expect(api.importKnowledge).not.toHaveBeenCalled();
  });

  it('shows progress from desk events while importing, then refreshes the counts and the shown search', async () => {
    const api = fakeVigilApi();
    const answer = deferred<typeof sampleImportResult>();
    api.importHelpCenter.mockReturnValue(answer.promise);
    const { store } = await openedStore(api);
    store.getState().setQuery('vpn');
    await store.getState().search();

    const importing = store.getState().importHelpCenter('zd');
    expect(store.getState()).toMatchObject({ importStep: 'importing', importing: true, importProgress: { source: 'Zendesk Guide (zd)', imported: 0 } });
    store.getState().handleDeskEvent({ type: 'import-progress', source: 'Zendesk Guide (zd)', imported: 500 });
    expect(progressText(store.getState().importProgress)).toBe('Importing Zendesk Guide (zd): 500 entries so far…');

    answer.resolve(sampleImportResult);
    await importing;
    expect(api.importHelpCenter).toHaveBeenCalledWith({ connectorId: 'zd' });
    expect(store.getState()).toMatchObject({ importStep: 'done', importProgress: null });
    expect(api.status).toHaveBeenCalledOnce();
    expect(api.searchKnowledge).toHaveBeenCalledTimes(2);
  });

  it('ignores progress events when nothing is importing (another window’s import)', () => {
    const store = createCopilotStore(() => fakeVigilApi());
    store.getState().handleDeskEvent({ type: 'import-progress', source: 'x', imported: 3 });
    expect(store.getState().importProgress).toBeNull();
  });
});

describe('the import report’s words', () => {
  it('counts every skipped line by reason and names the first ones with their line', () => {
    expect(importSummary(sampleImportResult)).toBe('Imported 12 entries from faq.csv. 3 skipped:');
    expect(skippedReasons(sampleImportResult)).toEqual(['2 × body: is missing', '1 × 4 cells, but the header has 5 columns']);
    expect(listedIssues(sampleImportResult)).toEqual([
      'faq.csv line 7, body: is missing (expected string)',
      'faq.csv line 9, body: is missing (expected string)',
      'faq.csv line 12, 4 cells, but the header has 5 columns',
    ]);
  });

  it('names a skipped file of a folder by its name, a help-center article by its address, and counts the unlisted rest', () => {
    const result = {
      source: 'articles',
      imported: 2,
      skipped: 25,
      reasons: [{ reason: 'not a Markdown, HTML or text article', count: 24 }, { reason: 'draft: a draft, not published', count: 1 }],
      issues: [
        { file: '/home/ana/articles/logo.png', line: 1, field: '(file)', message: 'not a Markdown, HTML or text article (.md, .html, .txt)' },
        { file: 'https://acme.zendesk.com/hc/en-us/articles/50', line: 1, field: 'draft', message: 'a draft, not published' },
      ],
    };
    expect(listedIssues(result)).toEqual([
      'logo.png: not a Markdown, HTML or text article (.md, .html, .txt)',
      'https://acme.zendesk.com/hc/en-us/articles/50, draft: a draft, not published',
      '…and 23 more (counted above by reason).',
    ]);
    expect(importSummary({ ...result, skipped: 0, reasons: [], issues: [] })).toBe('Imported 2 entries from articles.');
  });
});
