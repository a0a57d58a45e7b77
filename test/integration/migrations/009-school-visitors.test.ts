import { expect, it } from 'vitest';
import { columns, expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-009-');

it('009-school-visitors: adds the other posts’ visitors apart from the id-only facts, which stay as they were', () => {
  expectMigration(9, '009-school-visitors.sql');
  const s = schemaAt(tempDir, 8);
  s.db
    .prepare(
      "INSERT INTO school_facts (id, seq, event_id, kind, station_id, holder_id, school_date, at, direction, verdict, received_at) VALUES ('f1', 5, 'e1', 'pass', 's2', 'S1', '2026-12-01', '2026-12-01T05:00:00.000Z', 'in', 'allow', 'r')",
    )
    .run();
  expect(s.migrateTo(9)).toBe(9);
  expect(s.db.prepare('SELECT id, kind, holder_id FROM school_facts').all()).toEqual([{ id: 'f1', kind: 'pass', holder_id: 'S1' }]);
  expect(columns(s.db, 'school_visitors')).toEqual(['id', 'seq', 'station_id', 'school_date', 'at', 'direction', 'visitor_name', 'reason', 'received_at']);
  // A visitor is stored once under the event's id, however often the fact arrives.
  const put = s.db.prepare(
    "INSERT INTO school_visitors (id, seq, station_id, school_date, at, direction, visitor_name, reason, received_at) VALUES ('v1', 6, 's2', '2026-12-01', '2026-12-01T06:00:00.000Z', 'in', 'Кузнецов Олег', 'parent', 'r') ON CONFLICT (id) DO NOTHING",
  );
  expect(put.run().changes).toBe(1);
  expect(put.run().changes).toBe(0);
  expect(() =>
    s.db
      .prepare(
        "INSERT INTO school_visitors (id, seq, station_id, school_date, at, direction, visitor_name, reason, received_at) VALUES ('v2', 7, 's2', 'd', 'a', 'sideways', 'Гость', 'other', 'r')",
      )
      .run(),
  ).toThrow(/CHECK/);
  s.db.close();
});
