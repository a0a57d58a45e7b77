import type { SyncErrorCode } from '../common/sync-api.ts';

/** A failed exchange with the backend, classified so the loops know whether and when to retry. */
export class SyncError extends Error {
  override name = 'SyncError';
  readonly code: SyncErrorCode;
  readonly status: number | null;
  /** The server asked us to wait this long (Retry-After). */
  readonly retryAfterMs: number | null;
  constructor(code: SyncErrorCode, message: string, options: { status?: number | null; retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** `Retry-After` as seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, nowMs = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
