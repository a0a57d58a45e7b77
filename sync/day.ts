/**
 * The school's day, shared: a loop beside the roster pull that long-polls the backend's GET /v1/day and
 * merges the other stations' facts into the store (SyncStore.applyDay), each once. It never stands in
 * the way of a tap: the station decides from what it has, and this loop only adds to it.
 */
import type { Logger } from '../common/logger.ts';
import type { DayReply } from '../common/sync-api.ts';
import { retryDelay, type BackoffOptions } from './backoff.ts';
import type { BackendClient } from './client.ts';
import { SyncError } from './errors.ts';
import type { SyncStore } from './store.ts';

/** Sync state keys: the long-poll's cursor, and when its last reply came. */
export const DAY_CURSOR_KEY = 'day_cursor';
export const DAY_HEARD_KEY = 'day_heard_at';

/** A dropped connection is tried again within seconds: the other posts' passes matter in an evacuation. */
export const DAY_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5_000 };

export interface DayLoopOptions {
  client: BackendClient;
  store: SyncStore;
  log: Logger;
  signal: AbortSignal;
  /** Seconds the backend may hold a poll (default 25). */
  waitSeconds?: number;
  backoff?: BackoffOptions;
  /** After each merged reply: the new facts (may be none) and the reply. */
  onReply?: (fresh: DayReply['facts'], reply: DayReply) => void;
  /** The poll failed (the station shows it is working from what it has). */
  onError?: (err: SyncError) => void;
  /** Awaited before a reply is written: a tap being shown goes first (core/foreground.ts). */
  giveWay?: () => Promise<void>;
}

/** Runs until `signal` aborts. */
export async function runDayLoop(o: DayLoopOptions): Promise<void> {
  let failures = 0;
  let warned = false;
  while (!o.signal.aborted) {
    try {
      const since = o.store.getState(DAY_CURSOR_KEY);
      const { reply, skipped } = await o.client.day(since, o.waitSeconds ?? 25, o.signal);
      if (o.signal.aborted) break;
      if (skipped) o.log.warn({ skipped }, 'school day: facts that do not match the contract were skipped');
      await o.giveWay?.();
      if (o.signal.aborted) break;
      const fresh = o.store.applyDay(reply);
      if (failures > 0) o.log.info({ failures }, 'school day: the backend answers again');
      failures = 0;
      warned = false;
      o.onReply?.(fresh, reply);
    } catch (err) {
      if (o.signal.aborted) break;
      const e = err instanceof SyncError ? err : new SyncError('store_error', err instanceof Error ? err.message : String(err), { cause: err });
      failures++;
      if (!warned) o.log.warn({ code: e.code, error: e.message }, 'school day: cannot follow the other stations; working from what this station has');
      warned = true;
      o.onError?.(e);
      const delay = retryDelay(failures, e, o.backoff ?? DAY_BACKOFF);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        o.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }
  }
}
