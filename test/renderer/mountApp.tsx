/**
 * Mounting the real App on a fake `window.vigil` (fakeVigilApi.ts) in happy-dom, and finding controls by
 * their accessible names, as an analyst using a screen reader would.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeAll, expect, vi } from 'vitest';
import { App } from '../../renderer/src/App';
import type { View } from '../../renderer/src/store/copilot/slices/desk/initialState';
import { CopilotStoreProvider } from '../../renderer/src/store/copilot/CopilotStoreProvider';
import { createCopilotStore } from '../../renderer/src/store/copilot/store';
import { fakeVigilApi } from './fakeVigilApi';

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
export async function mountApp(api = fakeVigilApi(), options: { view?: View; bubble?: boolean } = {}) {
  const container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  const store = createCopilotStore(() => api);
  if (options.view) store.getState().setView(options.view);
  await act(async () => {
    root!.render(
      <CopilotStoreProvider store={store}>
        <App bubble={options.bubble ?? false} />
      </CopilotStoreProvider>,
    );
  });
  await vi.waitFor(() => expect(api.status).toHaveBeenCalled());
  await act(async () => undefined);
  return { container, api, store };
}

/** The control labelled `name`, by aria-label or by <label for>. */
export function byName<T extends HTMLElement>(container: HTMLElement, name: string): T {
  const labelled = container.querySelector<T>(`[aria-label="${name}"]`);
  if (labelled) return labelled;
  const label = [...container.querySelectorAll('label')].find((l) => l.textContent === name);
  const control = label ? container.ownerDocument.getElementById(label.htmlFor) : null;
  if (!control) throw new Error(`No control named "${name}"`);
  return control as T;
}

/** The button whose text is `text`. */
export function button(container: HTMLElement, text: string): HTMLButtonElement {
  const found = [...container.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);
  if (!found) throw new Error(`No button "${text}"`);
  return found;
}

export async function type(input: HTMLInputElement, text: string) {
  // React tracks the value through the prototype's setter; set it there, then fire the input event.
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

export async function click(element: HTMLElement) {
  await act(async () => {
    element.click();
  });
}

/** The <section> headed by an <h2> reading `title`. */
export function section(container: HTMLElement, title: string): HTMLElement {
  const heading = [...container.querySelectorAll('h2')].find((h) => h.textContent === title);
  if (!heading) throw new Error(`No section "${title}"`);
  return heading.closest('section')!;
}

/** The checkbox inside the <label> reading `label`. */
export function checkbox(container: HTMLElement, label: string): HTMLInputElement {
  const found = [...container.querySelectorAll('label')].find((l) => l.textContent?.trim() === label);
  const input = found?.querySelector('input');
  if (!input) throw new Error(`No checkbox "${label}"`);
  return input;
}
