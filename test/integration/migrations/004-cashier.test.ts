import { expect, it } from 'vitest';
import { expectMigration, schemaAt, useTempDir } from './schema-at.ts';

const tempDir = useTempDir('mig-004-');

it('004-cashier: applies over a 003 store that already has accounts and events, and tracks what a synced balance includes', () => {
  expectMigration(4, '004-cashier.sql');
  const s = schemaAt(tempDir, 3);
  const db = s.db;
  db.prepare("INSERT INTO accounts (holder_id, balance, balance_at) VALUES ('S1', 10000, '2026-11-23T05:00:00.000Z')").run();
  const ev = (id: string, status: string) =>
    db
      .prepare("INSERT INTO outbox (id, type, occurred_at, clock_offset_ms, payload, status) VALUES (?, 'sale', '2026-11-23T06:00:00.000Z', 0, '{}', ?)")
      .run(id, status);
  ev('e1', 'accepted');
  ev('e2', 'pending');
  ev('e3', 'pending');

  expect(s.migrateTo(4)).toBe(4);
  // Rows from before 004 are kept; an account written later records the last event the server had seen.
  expect(db.prepare('SELECT balance FROM accounts').get()).toEqual({ balance: 10000 });
  expect(db.prepare('SELECT count(*) AS n FROM cashier_account_sync').get()).toEqual({ n: 0 });
  db.prepare("UPDATE accounts SET balance = 9000, balance_at = '2026-11-23T07:00:00.000Z' WHERE holder_id = 'S1'").run();
  expect(db.prepare('SELECT after_seq FROM cashier_account_sync WHERE holder_id = ?').get('S1')).toEqual({ after_seq: 1 });
  db.prepare("UPDATE outbox SET status = 'accepted'").run();
  db.prepare("INSERT INTO accounts (holder_id, balance, balance_at) VALUES ('S2', 500, '2026-11-23T07:00:00.000Z')").run();
  expect(db.prepare('SELECT after_seq FROM cashier_account_sync WHERE holder_id = ?').get('S2')).toEqual({ after_seq: 3 });
  // A write that changes neither the balance nor its time (a parent's note) is not a fresh figure.
  db.prepare("UPDATE accounts SET parent_note = 'x' WHERE holder_id = 'S1'").run();
  expect(db.prepare('SELECT after_seq FROM cashier_account_sync WHERE holder_id = ?').get('S1')).toEqual({ after_seq: 1 });
  db.close();
});
