/**
 * `window.vigil`, exposed by the preload (electron/preload/index.ts). Optional because the page can be opened
 * without it (a browser pointed at the dev server); `getVigilApi` turns that into a message a person can act on.
 */
import type { VigilBridge } from '../api/contractTypes';

declare global {
  interface Window {
    readonly vigil?: VigilBridge;
  }
}

export {};
