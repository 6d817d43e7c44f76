/**
 * File-system errors as sentences a person can act on: `Cannot write out/x.jsonl: the folder out does not
 * exist.` instead of `ENOENT: no such file or directory, open 'out/x.jsonl'` and a stack trace.
 */
import { dirname } from 'node:path';

/** Why the file could not be used, in words, from the error's code (the system's message otherwise). */
export function describeFileError(error: unknown, file: string, verb: 'read' | 'write'): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const what = `Cannot ${verb} ${file}`;
  switch (code) {
    case 'ENOENT':
      return verb === 'write' ? `${what}: the folder ${dirname(file)} does not exist.` : `${what}: it does not exist.`;
    case 'ENOTDIR':
      return `${what}: part of the path is a file, not a folder.`;
    case 'EISDIR':
      return `${what}: it is a folder.`;
    case 'EACCES':
    case 'EPERM':
      return `${what}: permission denied.`;
    case 'EROFS':
      return `${what}: the disk is read-only.`;
    case 'ENOSPC':
      return `${what}: the disk is full.`;
    default:
      return `${what}: ${error instanceof Error ? error.message : String(error)}.`;
  }
}

/** `describeFileError` as an Error that keeps the system's `code` (`ENOENT`…), for callers that branch on it. */
export function fileError(error: unknown, file: string, verb: 'read' | 'write'): Error & { code?: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return Object.assign(new Error(describeFileError(error, file, verb), { cause: error }), code ? { code } : {});
}
