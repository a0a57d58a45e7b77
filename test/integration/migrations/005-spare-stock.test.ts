import { expect, it } from 'vitest';
import { expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-005-');

it('005-spare-stock: spare cards in stock and handed out keep their binding, and none is marked removed', () => {
  expectMigration(5, '005-spare-stock.sql');
  const s = schemaAt(tempDir, 4);
  const spare = s.db.prepare('INSERT INTO spare_cards (technology, uid, label, holder_kind, holder_id, bound_at, bound_until) VALUES (?, ?, ?, ?, ?, ?, ?)');
  spare.run('iso14443', '04000000000001', 'Запасная 1', null, null, null, null);
  spare.run('iso14443', '04000000000002', 'Запасная 2', 'student', 'S1', '2026-11-23T07:00:00.000Z', '2026-11-23T15:00:00.000Z');

  expect(s.migrateTo(5)).toBe(5);
  expect(s.db.prepare('SELECT label, holder_id, bound_until, removed_at FROM spare_cards ORDER BY uid').all()).toEqual([
    { label: 'Запасная 1', holder_id: null, bound_until: null, removed_at: null },
    { label: 'Запасная 2', holder_id: 'S1', bound_until: '2026-11-23T15:00:00.000Z', removed_at: null },
  ]);
  s.db.close();
});
