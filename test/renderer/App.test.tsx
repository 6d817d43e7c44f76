// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeVigilApi, hit, sampleStatus } from './fakeVigilApi';
import { byName, mountApp, type } from './mountApp';

/** The knowledge screen, where these tests work. */
const mount = (api = fakeVigilApi()) => mountApp(api, { view: 'knowledge' });

describe('App', () => {
  it('tells the analyst, in their words, how much knowledge there is and that answers come from it (no engine ids)', async () => {
    const { container } = await mount();
    const status = byName(container, 'Engine status');
    expect(status.textContent).toContain('1,234 knowledge entries');
    expect(status.textContent).toContain('Answers from your knowledge');
    // Engine details (embedder id, dimensions) are in Settings → Embedding model, not in the top bar.
    expect(status.textContent).not.toMatch(/hashed-384|dimensions|Embedder/);
  });

  it('alerts the analyst when the engine could not write to the knowledge folder', async () => {
    const api = fakeVigilApi();
    const problem = 'Could not write to the knowledge folder (disk full); 3 entries are kept in its write-ahead log and will be retried.';
    api.status.mockResolvedValue({ ...sampleStatus, lastWriteError: problem });
    const { container } = await mount(api);
    expect([...container.querySelectorAll('[role="alert"]')].map((a) => a.textContent)).toContain(problem);
  });

  it('shows no alert while writes succeed', async () => {
    const { container } = await mount();
    expect(container.querySelectorAll('[role="alert"]')).toHaveLength(0);
  });

  it('gives the search box, the search button and Import accessible names', async () => {
    const { container } = await mount();
    expect(byName(container, 'Search knowledge').getAttribute('role')).toBe('search');
    expect(byName<HTMLInputElement>(container, 'Search approved knowledge').type).toBe('search');
    expect(byName(container, 'Import knowledge: entries, a spreadsheet export, articles or a help center').tagName).toBe('BUTTON');
    expect(container.querySelector('button[type="submit"]')?.textContent).toBe('Search');
  });

  it('searches on submit and lists kind, heading, excerpt, score and source ticket', async () => {
    const api = fakeVigilApi();
    api.searchKnowledge.mockResolvedValue([
      hit({ body: 'word '.repeat(200) }),
      hit({ id: 'kb-2', kind: 'article', title: 'Reset MFA', question: null, sourceTicketId: null, score: 0.5 }),
    ]);
    const { container } = await mount(api);

    await type(byName(container, 'Search approved knowledge'), 'vpn sleep');
    await act(async () => {
      byName<HTMLFormElement>(container, 'Search knowledge').requestSubmit();
    });

    expect(api.searchKnowledge).toHaveBeenCalledWith({ query: 'vpn sleep' });
    expect(container.querySelector('[role="status"][aria-live="polite"]')?.textContent).toBe('2 results for “vpn sleep”.');
    const results = [...byName(container, 'Search results').querySelectorAll('li')].map((li) => li.textContent ?? '');
    expect(results).toHaveLength(2);
    expect(results[0]).toContain('Q&A');
    expect(results[0]).toContain('VPN disconnects after the laptop wakes from sleep');
    // Best match first; no similarity figure, which would not follow that order (the ranking fuses words and meaning).
    expect(results[0]).not.toMatch(/Score/);
    expect(results[0]).toContain('Source ticket T-4821');
    expect(results[0]).toMatch(/(word ){20,}word…/);
    expect(results[1]).toContain('Article');
    expect(results[1]).toContain('Reset MFA');
    expect(results[1]).toContain('No source ticket');
  });

  it('shows knowledge text as text, never as markup', async () => {
    const api = fakeVigilApi();
    api.searchKnowledge.mockResolvedValue([hit({ body: '<img src=x onerror="alert(1)">' })]);
    const { container, store } = await mount(api);
    await act(async () => {
      store.getState().setQuery('x');
      await store.getState().search();
    });
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('shows an error from the main process as an alert', async () => {
    const api = fakeVigilApi();
    api.searchKnowledge.mockRejectedValue(
      new Error("Error invoking remote method 'vigil:searchKnowledge': Error: vigil:searchKnowledge received a malformed request: query: the search query is longer than 2000 characters; shorten it."),
    );
    const { container, store } = await mount(api);
    await act(async () => {
      store.getState().setQuery('x');
      await store.getState().search();
    });
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(
      'vigil:searchKnowledge received a malformed request: query: the search query is longer than 2000 characters; shorten it.',
    );
  });

  it('says when a configured local model is unavailable, with the reason on hover', async () => {
    const api = fakeVigilApi();
    const reason = 'Ollama is not running at 127.0.0.1:11434. Start it; Vigil checks again every 15 seconds.';
    api.status.mockResolvedValue({ ...sampleStatus, llm: { mode: 'retrieval-only', reason, modelId: 'ollama:llama3.2' } });
    const { container } = await mount(api);
    const mode = container.querySelector('.status-item.mode')!;
    expect(mode.textContent).toBe('Answers from your knowledge (local model unavailable)');
    expect(mode.getAttribute('title')).toBe(reason);
  });
});
