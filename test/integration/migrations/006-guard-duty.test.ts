import { expect, it } from 'vitest';
import { expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-006-');

it('006-guard-duty: applies over a 005 store, keeping the pass log, and starts with nobody on duty', () => {
  expectMigration(6, '006-guard-duty.sql');
  const s = schemaAt(tempDir, 5);
  s.db.prepare("INSERT INTO guard_passes (id, at, school_date, kind, verdict, reason) VALUES ('p1', 'a', '2026-11-23', 'tap', 'allow', 'ok')").run();
  expect(s.migrateTo(6)).toBe(6);
  expect(s.db.prepare('SELECT id FROM guard_passes').all()).toEqual([{ id: 'p1' }]);
  expect(s.db.prepare('SELECT count(*) AS n FROM guard_duties').get()).toEqual({ n: 0 });
  s.db.close();
});
