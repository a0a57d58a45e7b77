/**
 * The push half: the outbox goes out in station order, a batch at a time, and each event's answer is
 * written back. Delivery is at-least-once on the wire and exactly-once on the server (the event id is
 * the idempotency key), so a retry after any fault is always safe.
 */
import type { SyncStore } from './store.ts';
import type { BackendClient } from './client.ts';
import { SyncError } from './errors.ts';
import { checkBackend, isLegacyIdentity } from './backend-identity.ts';

export interface PushReport {
  sent: number;
  acknowledged: number;
  duplicates: number;
  anomalies: number;
  invalid: number;
}

export async function pushOutbox(
  client: BackendClient,
  store: SyncStore,
  options: { batchSize?: number; signal?: AbortSignal; onBatch?: (report: PushReport) => void } = {},
): Promise<PushReport> {
  const batchSize = options.batchSize ?? 500;
  const report: PushReport = { sent: 0, acknowledged: 0, duplicates: 0, anomalies: 0, invalid: 0 };
  for (;;) {
    if (options.signal?.aborted) return report;
    const batch = store.pendingEvents(batchSize);
    if (batch.length === 0) return report;
    const ids = new Set(batch.map((e) => e.id));
    let results;
    // The batch says which backend its events were made for: another backend refuses every one of them.
    // A backend known only by its address (it named no identity) is not named: it may be upgraded meanwhile.
    const known = store.backend();
    const backendId = known && !isLegacyIdentity(known) ? known.id : null;
    try {
      const reply = await client.push(batch, { backendId, ...(options.signal ? { signal: options.signal } : {}) });
      results = reply.results;
      checkBackend(store, reply.backend, 'push');
      if (results.some((r) => r.code === 'wrong_backend')) {
        throw new SyncError(
          'wrong_backend',
          `push: the backend refused the batch as made for another backend (${results.find((r) => r.code === 'wrong_backend')?.message ?? ''})`,
        );
      }
    } catch (err) {
      const e = err instanceof SyncError ? err : new SyncError('network', String(err));
      store.recordAttempt([...ids], e.message);
      throw e;
    }
    const mine = results.filter((r) => ids.has(r.id));
    if (mine.length === 0) {
      const e = new SyncError('bad_reply', `push: the backend answered none of the ${batch.length} events sent`);
      store.recordAttempt([...ids], e.message);
      throw e;
    }
    store.recordResults(mine);
    report.sent += batch.length;
    for (const r of mine) {
      report.acknowledged++;
      if (r.status === 'duplicate') report.duplicates++;
      const effective = r.status === 'duplicate' ? r.first?.status : r.status;
      if (effective === 'anomaly') report.anomalies++;
      if (effective === 'invalid') report.invalid++;
    }
    options.onBatch?.(report);
    if (mine.length < batch.length) {
      // Events the reply left out stay pending; they go again after the backoff, not in a tight loop.
      const left = batch.filter((e) => !mine.some((r) => r.id === e.id)).map((e) => e.id);
      const e = new SyncError('bad_reply', `push: the backend left ${left.length} of ${batch.length} events unanswered`);
      store.recordAttempt(left, e.message);
      throw e;
    }
  }
}
