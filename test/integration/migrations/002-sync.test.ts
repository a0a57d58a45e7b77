import { expect, it } from 'vitest';
import { columns, expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-002-');

it('002-sync: adds the photo table and the attention columns; events already answered keep their status and none needs attention yet', () => {
  expectMigration(2, '002-sync.sql');
  const s = schemaAt(tempDir, 1);
  const ev = s.db.prepare(
    "INSERT INTO outbox (id, type, occurred_at, clock_offset_ms, payload, status, result_message) VALUES (?, 'sale', '2026-11-20T06:00:00.000Z', 0, '{}', ?, ?)",
  );
  ev.run('e1', 'accepted', null);
  ev.run('e2', 'anomaly', 'overdraft');
  ev.run('e3', 'pending', null);

  expect(s.migrateTo(2)).toBe(2);
  expect(columns(s.db, 'photos')).toEqual(['hash', 'size', 'fetched_at']);
  expect(s.db.prepare('SELECT id, status, result_message, result_code, attention_cleared_at FROM outbox ORDER BY seq').all()).toEqual([
    { id: 'e1', status: 'accepted', result_message: null, result_code: null, attention_cleared_at: null },
    { id: 'e2', status: 'anomaly', result_message: 'overdraft', result_code: null, attention_cleared_at: null },
    { id: 'e3', status: 'pending', result_message: null, result_code: null, attention_cleared_at: null },
  ]);
  // The "needs attention" query the station runs finds the flagged one through its new index.
  expect(s.db.prepare("SELECT id FROM outbox WHERE status IN ('anomaly', 'invalid') AND attention_cleared_at IS NULL").all()).toEqual([{ id: 'e2' }]);
  s.db.close();
});
