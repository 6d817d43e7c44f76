/** Kept for the IPC contract (electron/ipc, renderer/src/api), which imports from here: the types live in core/privacy. */
export type * from '../privacy/privacyTypes';
