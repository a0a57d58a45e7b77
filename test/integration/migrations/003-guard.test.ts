import { expect, it } from 'vitest';
import { columns, expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-003-');

it('003-guard: adds the pass log, the spare stock and emergencies beside a roster that stays as it was', () => {
  expectMigration(3, '003-guard.sql');
  const s = schemaAt(tempDir, 2);
  s.db.prepare("INSERT INTO students (id, full_name, class_name, photo_hash, status) VALUES ('S1', 'Петров Иван', '5А', NULL, 'active')").run();
  s.db
    .prepare(
      "INSERT INTO cards (technology, uid, holder_kind, holder_id, status, valid_until) VALUES ('iso14443', '04A1B2C3D4E5F6', 'student', 'S1', 'active', NULL)",
    )
    .run();

  expect(s.migrateTo(3)).toBe(3);
  expect(s.db.prepare('SELECT full_name FROM students').all()).toEqual([{ full_name: 'Петров Иван' }]);
  expect(s.db.prepare('SELECT uid, status FROM cards').all()).toEqual([{ uid: '04A1B2C3D4E5F6', status: 'active' }]);
  for (const t of ['guard_passes', 'spare_cards', 'guard_emergencies']) expect(s.db.prepare(`SELECT count(*) AS n FROM ${t}`).get()).toEqual({ n: 0 });
  expect(columns(s.db, 'spare_cards')).toEqual(['technology', 'uid', 'label', 'holder_kind', 'holder_id', 'bound_at', 'bound_until']);
  // A spare card's technology is one the station reads.
  expect(() => s.db.prepare("INSERT INTO spare_cards (technology, uid) VALUES ('barcode', '1')").run()).toThrow(/CHECK/);
  s.db.close();
});
