/** Kept for the IPC contract (electron/ipc, renderer/src/api), which imports from here: entry browsing lives in core/knowledge. */
export * from '../knowledge/knowledgeBrowser';
