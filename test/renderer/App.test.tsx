// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/src/App';
import { CopilotStoreProvider } from '../../renderer/src/store/copilot/CopilotStoreProvider';
import { createCopilotStore } from '../../renderer/src/store/copilot/store';
import { fakeVigilApi, hit, sampleStatus } from './fakeVigilApi';

let root: Root | null = null;

beforeAll(() => {
  // Tells React that updates are awaited with act(), as in a test renderer.
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

afterEach(() => {
  act(() => root?.unmount());
  root = null;
  document.body.innerHTML = '';
});

/** Mounts the app on a fake API and waits for the first status load. */
async function mount(api = fakeVigilApi()) {
  const container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  const store = createCopilotStore(() => api);
  await act(async () => {
    root!.render(
      <CopilotStoreProvider store={store}>
        <App />
      </CopilotStoreProvider>,
    );
  });
  await vi.waitFor(() => expect(api.status).toHaveBeenCalled());
  await act(async () => undefined);
  return { container, api, store };
}

/** The control labelled `name`, by aria-label or by <label for>. */
function byName<T extends HTMLElement>(container: HTMLElement, name: string): T {
  const labelled = container.querySelector<T>(`[aria-label="${name}"]`);
  if (labelled) return labelled;
  const label = [...container.querySelectorAll('label')].find((l) => l.textContent === name);
  const control = label ? container.ownerDocument.getElementById(label.htmlFor) : null;
  if (!control) throw new Error(`No control named "${name}"`);
  return control as T;
}

async function type(input: HTMLInputElement, text: string) {
  // React tracks the value through the prototype's setter; set it there, then fire the input event.
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('App', () => {
  it('shows the engine status and says plainly that no local LLM is configured', async () => {
    const { container } = await mount();
    const status = byName(container, 'Engine status');
    expect(status.textContent).toContain('1,234 entries');
    expect(status.textContent).toContain('Embedder: hashed-384 · 384 dimensions');
    expect(status.textContent).toContain('Retrieval-only mode: no local LLM configured');
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
    expect(byName(container, 'Import entries from a JSON Lines file').tagName).toBe('BUTTON');
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
    expect(results[0]).toContain('Score 0.83');
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

  it('imports on click and reports what was imported and skipped', async () => {
    const { container, api } = await mount();
    await act(async () => {
      byName(container, 'Import entries from a JSON Lines file').click();
    });
    expect(api.importEntries).toHaveBeenCalledOnce();
    const report = byName(container, 'Import report');
    expect(report.textContent).toContain('Imported 12 entries from kb.jsonl. 1 line was skipped');
    expect(report.textContent).toContain('Line 7, body: must not be empty');
    expect(api.status).toHaveBeenCalledTimes(2);
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
});
