import { describe, expect, it } from 'vitest';
import { createCopilotStore } from '../../../../renderer/src/store/copilot/store';
import { importerSelectors, listedIssues } from '../../../../renderer/src/store/copilot/slices/importer/selectors';
import { searchSelectors } from '../../../../renderer/src/store/copilot/slices/search/selectors';
import { statusSelectors } from '../../../../renderer/src/store/copilot/slices/status/selectors';
import { fakeVigilApi, hit, sampleReport } from '../../fakeVigilApi';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('status slice', () => {
  it('shows entry count, embedder and the retrieval-only notice', async () => {
    const store = createCopilotStore(() => fakeVigilApi());
    await store.getState().loadStatus();
    const state = store.getState();
    expect(statusSelectors.entriesLabel(state)).toBe('1,234 entries');
    expect(statusSelectors.embedderLabel(state)).toBe('hashed-384 · 384 dimensions');
    expect(statusSelectors.modeLabel(state)).toBe('Retrieval-only mode: no local LLM configured');
  });

  it("shows the main process's message without Electron's IPC prefix", async () => {
    const api = fakeVigilApi();
    api.status.mockRejectedValue(
      new Error("Error invoking remote method 'vigil:status': Error: Vigil could not open its knowledge store: lock held."),
    );
    const store = createCopilotStore(() => api);
    await store.getState().loadStatus();
    expect(store.getState().statusError).toBe('Vigil could not open its knowledge store: lock held.');
    expect(statusSelectors.entriesLabel(store.getState())).toBe('Entries unknown');
  });

  it('turns a missing preload into an on-screen error instead of a crash', async () => {
    const store = createCopilotStore(() => {
      throw new Error("Vigil's window could not reach its engine (the preload script did not load).");
    });
    await store.getState().loadStatus();
    expect(store.getState().statusError).toMatch(/could not reach its engine/);
  });
});

describe('search slice', () => {
  it('searches for the trimmed query and reports the count', async () => {
    const api = fakeVigilApi();
    const store = createCopilotStore(() => api);
    store.getState().setQuery('  vpn sleep ');
    await store.getState().search();
    expect(api.searchKnowledge).toHaveBeenCalledWith({ query: 'vpn sleep' });
    expect(store.getState().results).toHaveLength(1);
    expect(searchSelectors.resultsSummary(store.getState())).toBe('1 result for “vpn sleep”.');
  });

  it('clears results for an empty query without calling the engine', async () => {
    const api = fakeVigilApi();
    const store = createCopilotStore(() => api);
    store.getState().setQuery('vpn');
    await store.getState().search();
    store.getState().setQuery('   ');
    await store.getState().search();
    expect(api.searchKnowledge).toHaveBeenCalledOnce();
    expect(store.getState().results).toEqual([]);
    expect(searchSelectors.resultsSummary(store.getState())).toBe('');
  });

  it('never lets a slow answer to an older query replace a newer one', async () => {
    const api = fakeVigilApi();
    const slow = deferred<ReturnType<typeof hit>[]>();
    api.searchKnowledge
      .mockImplementationOnce(() => slow.promise)
      .mockImplementationOnce(async () => [hit({ id: 'new', question: 'printer offline' })]);
    const store = createCopilotStore(() => api);

    store.getState().setQuery('vpn');
    const first = store.getState().search();
    store.getState().setQuery('printer');
    await store.getState().search();
    slow.resolve([hit({ id: 'old' })]);
    await first;

    expect(store.getState().results.map((h) => h.id)).toEqual(['new']);
    expect(store.getState().searchedQuery).toBe('printer');
  });
});

describe('importer slice', () => {
  it('keeps the report, refreshes the counts and re-runs the shown search', async () => {
    const api = fakeVigilApi();
    const store = createCopilotStore(() => api);
    store.getState().setQuery('vpn');
    await store.getState().search();

    await store.getState().importEntries();

    expect(store.getState().lastImport).toEqual(sampleReport);
    expect(api.status).toHaveBeenCalledOnce();
    expect(api.searchKnowledge).toHaveBeenCalledTimes(2);
    expect(importerSelectors.importSummary(store.getState())).toBe(
      'Imported 12 entries from kb.jsonl. 1 line was skipped; fix it and import the file again.',
    );
    expect(listedIssues(store.getState().lastImport)).toEqual(['Line 7, body: must not be empty']);
  });

  it('changes nothing when the analyst cancels the dialog', async () => {
    const api = fakeVigilApi();
    api.importEntries.mockResolvedValue(null);
    const store = createCopilotStore(() => api);
    await store.getState().importEntries();
    expect(store.getState()).toMatchObject({ importing: false, lastImport: null, importError: null });
    expect(api.status).not.toHaveBeenCalled();
  });

  it('lists at most five skipped lines and counts the rest', () => {
    const issues = Array.from({ length: 8 }, (_, i) => ({ file: 'kb.jsonl', line: i + 1, field: 'kind', message: 'invalid' }));
    const lines = listedIssues({ file: 'kb.jsonl', imported: 0, issues });
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toBe('…and 3 more.');
  });
});
