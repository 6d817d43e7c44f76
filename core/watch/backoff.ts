/**
 * How long to wait before retrying a failed sync: exponential backoff with "full jitter" (a random delay up to
 * the exponential bound), so many installs that failed together do not come back together. A source that says
 * when to come back (HTTP 429 with `Retry-After`) is obeyed instead.
 */

export interface BackoffOptions {
  /** First retry bound. */
  baseMs: number;
  /** Longest wait between attempts. */
  maxMs: number;
}

/** 2 s, doubling to 5 min: a helpdesk outage is usually minutes long, and 5 min keeps the lag bounded after it. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, maxMs: 300_000 };

/** The wait before retry number `attempt` (1 for the first retry). `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const bound = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  // Never less than half the bound, so a run of failures always slows down.
  return Math.round(bound / 2 + random() * (bound / 2));
}

/** The wait before the next attempt: the source's `retryAfterMs` when it gave one (capped), else the backoff. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions = DEFAULT_BACKOFF, random?: () => number): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return Math.min(retryAfterMs, options.maxMs * 4);
  return backoffDelay(attempt, options, random);
}
