import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import { openStore } from '../../core/store/index.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const tempDir = useTempDir();

const pass = (i: number) =>
  ({
    direction: 'in',
    verdict: 'allow',
    reason: 'active',
    readerId: 'entry-1',
    gate: null,
    card: { technology: 'iso14443', uid: `04A1B2C3D4E5${String(i % 100).padStart(2, '0')}` },
    holderKind: 'student',
    holderId: `S${i}`,
  }) as const;

describe('outbox', () => {
  it('appends events in station order with UUIDv7 ids, UTC times and the clock offset', () => {
    const clock = systemClock(1500);
    const store = openStore(join(tempDir(), 'station.db'), clock);
    const a = store.outbox.append('pass', pass(1));
    const b = store.outbox.append('pass', pass(2));
    expect(b.seq).toBe(a.seq + 1);
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id < b.id).toBe(true);
    const batch = store.outbox.pendingBatch(10);
    expect(batch.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(batch[0]).toMatchObject({ type: 'pass', clockOffsetMs: 1500, status: 'pending', payload: pass(1) });
    expect(batch[0]!.occurredAt).toMatch(/Z$/);
    store.close();
  });

  it('refuses an event whose payload does not match its schema, and stores nothing', () => {
    const store = openStore(join(tempDir(), 'station.db'), systemClock());
    // @ts-expect-error the verdict is not one the schema knows
    expect(() => store.outbox.append('pass', { ...pass(1), verdict: 'maybe' })).toThrow(/verdict/);
    expect(store.outbox.pendingCount()).toBe(0);
    store.close();
  });

  it('records a result per event; the next batch starts after the acknowledged ones', () => {
    const store = openStore(join(tempDir(), 'station.db'), systemClock());
    const ids = Array.from({ length: 5 }, (_, i) => store.outbox.append('pass', pass(i)).id);
    store.outbox.recordAttempt(ids.slice(0, 3), 'ECONNREFUSED');
    expect(store.outbox.pendingBatch(3).map((e) => [e.id, e.attempts, e.lastError])).toEqual(ids.slice(0, 3).map((id) => [id, 1, 'ECONNREFUSED']));
    store.outbox.recordResults([
      { id: ids[0]!, status: 'accepted' },
      { id: ids[1]!, status: 'anomaly', message: 'overdraft' },
      { id: ids[2]!, status: 'duplicate' },
    ]);
    expect(store.outbox.pendingCount()).toBe(2);
    expect(store.outbox.pendingBatch(10).map((e) => e.id)).toEqual(ids.slice(3));
    const all = store.outbox.after(0, 10);
    expect(all.map((e) => e.status)).toEqual(['accepted', 'anomaly', 'duplicate', 'pending', 'pending']);
    expect(all[1]!.resultMessage).toBe('overdraft');
    store.close();
  });

  it('keeps the sequence after a reopen: numbers are never reused', () => {
    const path = join(tempDir(), 'station.db');
    let store = openStore(path, systemClock());
    const first = store.outbox.append('pass', pass(1));
    store.close();
    store = openStore(path, systemClock());
    expect(store.outbox.append('pass', pass(2)).seq).toBe(first.seq + 1);
    store.close();
  });
});
