/**
 * The audit log as text to search for leaks. Its hashes (64 hex digits) and numbers (sizes, durations such as
 * 12.794613) can hold any run of digits by chance ("7946" included), and the keyed hashes change every run: they are
 * masked, so what is searched is every text the log holds, and only that.
 */
export function auditLogText(raw: string): string {
  return raw.replace(/"[0-9a-f]{64}"/g, '"<hash>"').replace(/(?<=":)-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?=[,}])/gi, '<number>');
}
