/**
 * The renderer's only way to the engine: the `window.vigil` object the preload exposes.
 */
import type { VigilBridge } from './contractTypes';

/** Returns `window.vigil`, or throws an error that tells the analyst what to do when the preload is missing. */
export function getVigilApi(): VigilBridge {
  const api = window.vigil;
  if (!api) {
    throw new Error(
      "Vigil's window could not reach its engine (the preload script did not load). Restart Vigil; if this keeps happening, reinstall it.",
    );
  }
  return api;
}
