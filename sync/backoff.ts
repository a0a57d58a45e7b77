import type { SyncError } from './errors.ts';

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 60_000 };

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so stations that
 * lost the backend together do not come back together, and no retry is ever immediate.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const random = options.random ?? Math.random;
  return Math.round(step / 2 + random() * (step / 2));
}

/** The wait before the next try: the server's Retry-After when it gave one (capped at maxMs), else the backoff. */
export function retryDelay(attempt: number, error: SyncError | null, options: BackoffOptions = DEFAULT_BACKOFF): number {
  if (error?.retryAfterMs != null) return Math.min(options.maxMs, Math.max(error.retryAfterMs, 0));
  return backoffDelay(attempt, options);
}
