import { expect, it } from 'vitest';
import { columns, expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-008-');

it('008-school-day: adds the school-day tables apart from the outbox, which keeps its events', () => {
  expectMigration(8, '008-school-day.sql');
  const s = schemaAt(tempDir, 7);
  s.db
    .prepare(
      "INSERT INTO outbox (id, seq, type, occurred_at, clock_offset_ms, payload, status) VALUES ('e1', 1, 'pass', '2026-12-01T08:00:00.000Z', 0, '{}', 'pending')",
    )
    .run();
  expect(s.migrateTo(8)).toBe(8);
  expect(s.db.prepare('SELECT id, status FROM outbox').all()).toEqual([{ id: 'e1', status: 'pending' }]);
  expect(columns(s.db, 'school_facts')).toEqual(
    expect.arrayContaining(['id', 'seq', 'event_id', 'kind', 'station_id', 'holder_id', 'school_date', 'at', 'direction', 'verdict', 'spent', 'subsidy_meals']),
  );
  expect(columns(s.db, 'school_figures')).toEqual(['holder_id', 'school_date', 'spent', 'subsidy_meals', 'offline_spent', 'as_of']);
  expect(columns(s.db, 'school_stations')).toEqual(['id', 'name', 'role', 'last_seen_at', 'heard_at']);
  // A fact is stored once under its key, however often it arrives.
  const put = s.db.prepare(
    "INSERT INTO school_facts (id, seq, event_id, kind, station_id, holder_id, school_date, at, received_at) VALUES ('f1', 5, 'e9', 'pass', 's2', 'S1', '2026-12-01', 'x', 'y') ON CONFLICT (id) DO NOTHING",
  );
  expect(put.run().changes).toBe(1);
  expect(put.run().changes).toBe(0);
  expect(() =>
    s.db
      .prepare(
        "INSERT INTO school_facts (id, seq, event_id, kind, station_id, holder_id, school_date, at, received_at) VALUES ('f2', 6, 'e', 'sale', 's', 'h', 'd', 'a', 'r')",
      )
      .run(),
  ).toThrow(/CHECK/);
  s.db.close();
});
