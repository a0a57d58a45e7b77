import { expect, it } from 'vitest';
import { expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-007-');

it('007-reserved: a place held for another branch; it changes no table and keeps the pass log', () => {
  expectMigration(7, '007-reserved.sql');
  const s = schemaAt(tempDir, 6);
  const tables = () => s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
  const before = tables();
  s.db.prepare("INSERT INTO guard_passes (id, at, school_date, kind, verdict, reason) VALUES ('p1', 'a', '2026-12-01', 'tap', 'allow', 'ok')").run();
  expect(s.migrateTo(7)).toBe(7);
  expect(tables()).toEqual(before);
  expect(s.db.prepare('SELECT id FROM guard_passes').all()).toEqual([{ id: 'p1' }]);
  s.db.close();
});
