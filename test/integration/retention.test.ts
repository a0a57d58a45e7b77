/**
 * Retention by the clock: what the backend acknowledged is deleted from the station once it is older
 * than the school's `retentionDays` (30 by default), with the pass log, debits, shift reports, exports and
 * rotated logs; an event still waiting, and an anomaly nobody dismissed, are kept whatever their age.
 */
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneExpired, retentionDays } from '../../core/retention.ts';
import { openStore } from '../../core/store/index.ts';
import { testClock } from '../helpers/cashier-fixture.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const pass = (holderId: string) => ({
  direction: 'in' as const,
  verdict: 'allow' as const,
  reason: 'active',
  readerId: 'entry',
  gate: null,
  card: { technology: 'iso14443' as const, uid: '04A1B2C3D4E5F6' },
  holderKind: 'student' as const,
  holderId,
});

describe('retention', () => {
  const tempDir = useTempDir('ss-retention-');

  it('prunes acknowledged events, passes, files and rotated logs after retentionDays; keeps what waits or needs attention', () => {
    const dir = tempDir();
    const clock = testClock('2026-09-01T08:00:00.000Z');
    const store = openStore(join(dir, 'station.db'), clock, { key: Buffer.alloc(32, 7) });
    try {
      expect(retentionDays(store)).toBe(30);
      // 1 September: three passes; the backend accepts one, flags one as an anomaly, the third never leaves.
      const [acked, flagged, waiting] = ['S1', 'S2', 'S3'].map((id) => store.outbox.append('pass', pass(id)));
      store.outbox.recordResults([
        { id: acked!.id, status: 'accepted' },
        { id: flagged!.id, status: 'anomaly', message: 'overdraft' },
      ]);
      store.passes.insert(
        {
          id: '01900000-0000-7000-8000-000000000001',
          at: '2026-09-01T08:00:00.000Z',
          kind: 'tap',
          readerId: 'entry',
          direction: 'in',
          verdict: 'allow',
          reason: 'active',
          alarm: false,
          notices: [],
          holder: { kind: 'student', id: 'S1', fullName: 'Иванов Иван', group: '5А', photoHash: null },
          card: { technology: 'iso14443', uid: '04A1B2C3D4E5F6' },
          printed: null,
          gate: 'none',
          note: null,
          visitorName: null,
        },
        '2026-09-01',
        acked!.id,
      );
      const exports = join(dir, 'exports');
      const logs = join(dir, 'logs');
      mkdirSync(exports);
      mkdirSync(logs);
      const old = Date.parse('2026-09-01T09:00:00.000Z') / 1000;
      for (const f of [join(exports, 'roll-call-2026-09-01.csv'), join(logs, 'station-2026-09-01.log'), join(logs, 'station.log')]) {
        writeFileSync(f, 'x');
        utimesSync(f, old, old);
      }
      const sweep = () => pruneExpired(store, clock, { folders: [exports, logs], keep: ['station.log'] });
      const ids = () => store.outbox.after(0, 100).map((e) => e.id);

      // 29 days later nothing is old enough.
      clock.set('2026-09-30T08:00:00.000Z');
      expect(sweep()).toMatchObject({ rows: 0, files: 0 });
      expect(ids()).toEqual([acked!.id, flagged!.id, waiting!.id]);

      // 31 days later the accepted event, its pass row, the export and the rotated log are gone.
      clock.set('2026-10-02T09:30:00.000Z');
      expect(sweep()).toMatchObject({ rows: 2, files: 2 });
      expect(ids()).toEqual([flagged!.id, waiting!.id]);
      expect(store.db.prepare('SELECT count(*) AS n FROM guard_passes').get()).toEqual({ n: 0 });
      expect(readdirSync(exports)).toEqual([]);
      expect(readdirSync(logs)).toEqual(['station.log']);
      expect(store.outbox.pendingCount()).toBe(1);

      // The anomaly goes once someone dismissed it; a shorter school setting takes effect with the next sweep.
      store.outbox.clearAttention(flagged!.id, '2026-09-02T08:00:00.000Z');
      store.syncState.set('school_settings', JSON.stringify({ retentionDays: 7 }));
      expect(retentionDays(store)).toBe(7);
      expect(sweep().rows).toBe(1);
      expect(ids()).toEqual([waiting!.id]);
    } finally {
      store.close();
    }
  });
});
