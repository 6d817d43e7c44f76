/**
 * Turns a failed call into the sentence shown to the analyst. Electron prefixes errors from the main process
 * with "Error invoking remote method 'vigil:x': Error: ", which is noise to a person; the main process already
 * wrote the rest to say what happened and what to do.
 */
const ELECTRON_IPC_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** The message of `error` without Electron's IPC prefix. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(ELECTRON_IPC_PREFIX, '');
}
