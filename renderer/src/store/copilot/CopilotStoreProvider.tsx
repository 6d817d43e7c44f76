/**
 * Hands the store to the component tree through context, so tests can render with a store of their own.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { CopilotState, CopilotStore } from './store';

const CopilotStoreContext = createContext<CopilotStore | null>(null);

/** Makes `store` the one `useCopilotStore` reads. */
export function CopilotStoreProvider({ store, children }: { store: CopilotStore; children: ReactNode }) {
  return <CopilotStoreContext.Provider value={store}>{children}</CopilotStoreContext.Provider>;
}

/** Reads from the store; `selector` must return a primitive or a stored reference, not a new object. */
export function useCopilotStore<T>(selector: (state: CopilotState) => T): T {
  const store = useContext(CopilotStoreContext);
  if (!store) throw new Error('useCopilotStore was called outside <CopilotStoreProvider>; wrap the app in it (see main.tsx).');
  return useStore(store, selector);
}
