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

/** A Retry-After longer than this is taken as a mistake: the station tries again after this long. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * The wait before the next try: the server's Retry-After when it gave one (never shortened to our own
 * backoff cap, only to MAX_RETRY_AFTER_MS), else the backoff.
 */
export function retryDelay(attempt: number, error: SyncError | null, options: BackoffOptions = DEFAULT_BACKOFF): number {
  if (error?.retryAfterMs != null) return Math.min(MAX_RETRY_AFTER_MS, Math.max(error.retryAfterMs, backoffDelay(attempt, options) / 2));
  return backoffDelay(attempt, options);
}
