/**
 * The one way to put a thrown value into words for an error line or a report: an `Error`'s message, the message of
 * an error-like object (a library's plain `{ message }`), anything else as text. `(error as Error).message` would
 * print "undefined" for a thrown string.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}
