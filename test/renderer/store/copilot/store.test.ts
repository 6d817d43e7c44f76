import { describe, expect, it } from 'vitest';
import { createCopilotStore } from '../../../../renderer/src/store/copilot/store';
import { searchSelectors } from '../../../../renderer/src/store/copilot/slices/search/selectors';
import { statusSelectors } from '../../../../renderer/src/store/copilot/slices/status/selectors';
import { fakeVigilApi, hit } from '../../fakeVigilApi';

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

