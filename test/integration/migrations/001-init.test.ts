import { expect, it } from 'vitest';
import { loadMigrations, openDatabase } from '../../../core/store/db.ts';
import { columns, expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-001-');

it('001-init: builds the station tables on an empty file; an outbox event written then is still pending after every later migration', () => {
  expectMigration(1, '001-init.sql');
  const s = schemaAt(tempDir, 0);
  expect(s.migrateTo(1)).toBe(1);
  for (const t of ['students', 'staff', 'cards', 'accounts', 'menu_items', 'settings', 'outbox', 'sync_state'])
    expect(columns(s.db, t).length).toBeGreaterThan(0);
  s.db
    .prepare(
      "INSERT INTO outbox (id, type, occurred_at, clock_offset_ms, payload) VALUES ('0190a0a0-0000-7000-8000-000000000001', 'pass', '2026-09-01T07:00:00.000Z', 0, '{}')",
    )
    .run();
  s.db.close();
  // The current code opens it and runs the rest.
  const upgraded = openDatabase(s.path);
  expect(upgraded.pragma('user_version', { simple: true })).toBe(loadMigrations().length);
  expect(upgraded.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'").get()).toEqual({ n: 1 });
  upgraded.close();
});
