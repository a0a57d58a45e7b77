/**
 * The pull half: roster deltas page by page (one store transaction per page, the cursor saved with
 * it), then the portraits the roster names and the store lacks, then the menu.
 */
import type { SyncStore } from './store.ts';
import type { BackendClient } from './client.ts';
import type { SkippedRosterRow } from '../common/sync-api.ts';
import { SyncError } from './errors.ts';
import { checkBackend } from './backend-identity.ts';

/** Sync state key: roster rows the station skipped (the newest pull's), for IT and the needs-attention count. */
export const SKIPPED_ROWS_KEY = 'roster_skipped_rows';

export interface Progress {
  phase: 'roster' | 'photos';
  done: number;
  total: number;
}

export async function pullRoster(
  client: BackendClient,
  store: SyncStore,
  options: { pageSize?: number; signal?: AbortSignal; onProgress?: (p: Progress) => void; giveWay?: () => Promise<void> } = {},
): Promise<{ rows: number; pages: number; skipped: SkippedRosterRow[] }> {
  let cursor = store.rosterCursor();
  let rows = 0;
  let pages = 0;
  let total = 0;
  const skipped: SkippedRosterRow[] = [];
  for (;;) {
    if (options.signal?.aborted) break;
    await options.giveWay?.();
    const page = await client.roster(cursor, options.pageSize, options.signal);
    if (pages === 0) total = page.remaining;
    const n = page.students.length + page.staff.length + page.cards.length + page.accounts.length + page.spareCards.length + page.tombstones.length;
    // A tap that came while the page was on its way: its photo is painted before the page is written.
    await options.giveWay?.();
    if (options.signal?.aborted) break;
    // A page from a backend that is not the station's is not applied.
    checkBackend(store, page.backend, 'roster');
    const { skipped: bad, ...good } = page;
    store.applyRosterPage(good);
    if (bad?.length) skipped.push(...bad);
    // The school's settings and today's school-wide figures, kept for the station's rules to read.
    if (good.school) store.setState('school_settings', JSON.stringify(good.school));
    if (good.today) store.setState('school_day_figures', JSON.stringify(good.today));
    cursor = page.cursor;
    rows += n;
    pages++;
    if (total > 0) options.onProgress?.({ phase: 'roster', done: Math.min(rows, total), total });
    if (!page.more || n === 0) break;
    // Let a tap in the same process run between pages.
    await new Promise((r) => setImmediate(r));
  }
  if (skipped.length) {
    // Kept until the row comes again in good shape (a later page carries it when the backend fixes it).
    const before = JSON.parse(store.getState(SKIPPED_ROWS_KEY) ?? '[]') as SkippedRosterRow[];
    const byKey = new Map([...before, ...skipped].map((r) => [`${r.kind}:${r.id ?? ''}`, r]));
    store.setState(SKIPPED_ROWS_KEY, JSON.stringify([...byKey.values()].slice(-200)));
  }
  return { rows, pages, skipped };
}

export async function pullPhotos(
  client: BackendClient,
  store: SyncStore,
  options: { concurrency?: number; signal?: AbortSignal; onProgress?: (p: Progress) => void; skip?: Set<string>; giveWay?: () => Promise<void> } = {},
): Promise<{ fetched: number; failed: { hash: string; error: string }[] }> {
  const skip = options.skip ?? new Set<string>();
  const queue = store.missingPhotos(1_000_000).filter((h) => !skip.has(h));
  const total = queue.length;
  let done = 0;
  let fetched = 0;
  const failed: { hash: string; error: string }[] = [];
  const worker = async () => {
    for (;;) {
      await options.giveWay?.();
      const hash = queue.shift();
      if (!hash || options.signal?.aborted) return;
      try {
        const reply = await client.photo(hash, null, options.signal);
        if (reply) {
          store.savePhoto(hash, reply.bytes);
          fetched++;
        }
      } catch (err) {
        // The whole pull fails on a network fault; one bad or missing photo only skips that photo.
        if (err instanceof SyncError && (err.code === 'network' || err.code === 'timeout' || err.code === 'unauthorized' || err.code === 'rate_limited')) {
          queue.length = 0; // the other workers stop after their current photo
          throw err;
        }
        failed.push({ hash, error: err instanceof Error ? err.message : String(err) });
        skip.add(hash);
      }
      done++;
      if (done % 25 === 0 || done === total) options.onProgress?.({ phase: 'photos', done, total });
    }
  };
  if (total > 0) options.onProgress?.({ phase: 'photos', done: 0, total });
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 6, Math.max(1, total)) }, worker));
  return { fetched, failed };
}

export async function pullMenu(client: BackendClient, store: SyncStore, date: string, signal?: AbortSignal): Promise<number> {
  const menu = await client.menu(date, signal);
  store.applyMenu(menu.date, menu.items);
  return menu.items.length;
}
