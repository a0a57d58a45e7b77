import { expect, it } from 'vitest';
import { columns, expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-007-');

it('007-card-parts: applies over a 006 store; every card and spare kept is a full uid, and a lookup by a uid end uses an index', () => {
  expectMigration(7, '007-card-parts.sql');
  const s = schemaAt(tempDir, 6);
  s.db.prepare("INSERT INTO cards (technology, uid, holder_kind, holder_id, status) VALUES ('em4100', '6BD6EC9F2C', 'student', 'S1', 'active')").run();
  s.db.prepare("INSERT INTO spare_cards (technology, uid, label) VALUES ('em4100', '0A0B0C0D0E', 'Запасная 1')").run();
  expect(s.migrateTo(7)).toBe(7);
  expect(columns(s.db, 'cards')).toContain('part');
  expect(s.db.prepare('SELECT uid, part, holder_id FROM cards').all()).toEqual([{ uid: '6BD6EC9F2C', part: 'full', holder_id: 'S1' }]);
  expect(s.db.prepare('SELECT uid, part, label FROM spare_cards').all()).toEqual([{ uid: '0A0B0C0D0E', part: 'full', label: 'Запасная 1' }]);
  // The 10-digit print of 6BD6EC9F2C is its last 4 bytes: found through the index, not a scan.
  const plan = s.db
    .prepare("EXPLAIN QUERY PLAN SELECT uid FROM cards WHERE technology = 'em4100' AND substr(uid, -8) = 'D6EC9F2C' AND length(uid) > 8")
    .all() as { detail: string }[];
  expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX cards_tail4/);
  expect(s.db.prepare("SELECT uid FROM cards WHERE technology = 'em4100' AND substr(uid, -8) = 'D6EC9F2C' AND length(uid) > 8").all()).toEqual([
    { uid: '6BD6EC9F2C' },
  ]);
  expect(() => s.db.prepare("UPDATE cards SET part = 'half'").run()).toThrow(/CHECK/);
  s.db.close();
});
